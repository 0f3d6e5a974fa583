/**
 * Who may do what: the three roles of an API key and the role each request needs. Pure.
 *
 * Roles nest: `platform-admin` ⊇ `deployment-manager` ⊇ `viewer`. Rather than a role per route
 * (which a new route could forget), the rule is by method and path, so a route added later gets
 * the strictest sensible default without anyone remembering to annotate it:
 * - reads (`GET`, `HEAD`, `POST /deployments/_search`) need `viewer`, except the security configuration (API keys, roles
 *   tokens) and the webhook dead letters (a receiver's error answers, which may say more about
 *   the receiver than a viewer should learn), which only a `platform-admin` may even list;
 * - changes below `/deployments` need `deployment-manager`, except templates
 *   (`/deployments/templates`), which are platform configuration;
 * - every other change (allocators, hosts, platform configuration, keys) needs `platform-admin`.
 * Keys created before roles existed carry `admin`, read as `platform-admin`.
 */
import { WharfError } from '@wharf/model';

/** The roles an API key can carry, weakest first. */
export const API_KEY_ROLES = ['viewer', 'deployment-manager', 'platform-admin'] as const;

/** One of {@link API_KEY_ROLES}. */
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** The role of keys stored before roles existed. */
const LEGACY_ROLES: Readonly<Record<string, ApiKeyRole>> = { admin: 'platform-admin' };

const rank = (role: ApiKeyRole): number => API_KEY_ROLES.indexOf(role);

/** True for the names of {@link API_KEY_ROLES}. */
export function isApiKeyRole(value: unknown): value is ApiKeyRole {
  return typeof value === 'string' && (API_KEY_ROLES as readonly string[]).includes(value);
}

/** The strongest role among a key's stored roles; undefined when it has none Wharf knows. */
export function effectiveRole(roles: readonly string[]): ApiKeyRole | undefined {
  let best: ApiKeyRole | undefined;
  for (const stored of roles) {
    const role = isApiKeyRole(stored) ? stored : LEGACY_ROLES[stored];
    if (role !== undefined && (best === undefined || rank(role) > rank(best))) best = role;
  }
  return best;
}

const READS = new Set(['GET', 'HEAD']);
/** `POST /deployments/_search` (ECE's shape) reads: its query is a body, nothing is written. */
const SEARCH = /^\/deployments\/_search\/?$/;

/** True for a request that only reads (`GET`, `HEAD`, a deployment search); `path` below the prefix. */
export function isReadRequest(method: string, rawPath: string): boolean {
  const upper = method.toUpperCase();
  return READS.has(upper) || (upper === 'POST' && SEARCH.test(rawPath.toLowerCase().replace(/\/{2,}/g, '/')));
}
const SECURITY = /^\/platform\/configuration\/(security|webhooks\/dead-letters)(\/|$)/;
const DEPLOYMENTS = /^\/deployments(\/|$)/;
/** Templates sit below `/deployments` but are platform configuration. */
const TEMPLATES = /^\/deployments\/templates(\/|$)/;

/** The weakest role allowed to make `method` on `path` (relative to the API prefix). */
export function requiredRole(method: string, rawPath: string): ApiKeyRole {
  // Express matches routes case-insensitively and without regard to a trailing slash, so the
  // rule must see the path the way the router will.
  const path = rawPath.toLowerCase().replace(/\/{2,}/g, '/');
  if (SECURITY.test(path)) return 'platform-admin';
  if (isReadRequest(method, path)) return 'viewer';
  if (DEPLOYMENTS.test(path) && !TEMPLATES.test(path)) return 'deployment-manager';
  return 'platform-admin';
}

/**
 * `path` the way the router sees it, below the API prefix: Express matches mount paths and routes
 * case-insensitively and ignores repeated slashes, so `/API/V1//Platform/...` reaches the same
 * handler as `/api/v1/platform/...` and must meet the same rule.
 */
export function routedPath(apiPrefix: string, path: string): string {
  const folded = path.toLowerCase().replace(/\/{2,}/g, '/');
  const prefix = apiPrefix.toLowerCase();
  return folded === prefix || folded.startsWith(`${prefix}/`) ? folded.slice(prefix.length) : folded;
}

/** True when `role` includes `needed`. */
export function allows(role: ApiKeyRole | undefined, needed: ApiKeyRole): boolean {
  return role !== undefined && rank(role) >= rank(needed);
}

/** The 403 for a key whose role falls short; names the roles, never the key's secret. */
export function forbidden(
  keyId: string,
  role: ApiKeyRole | undefined,
  needed: ApiKeyRole,
  what: string,
): WharfError {
  const message = `API key ${keyId} has ${role === undefined ? 'no known role' : `role ${role}`}; ${what} needs ${needed}`;
  return new WharfError('WHARF_FORBIDDEN', message, {
    details: [{ path: 'authorization', message: `needs role ${needed}` }],
  });
}
