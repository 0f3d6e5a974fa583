/**
 * Request bodies of the host and roles-token routes. Checked by hand (they are three fields) so
 * that every problem is reported at once as `{path, message}`, before anything is written.
 */
import { HOST_ROLES, WharfError, isHostRole, type HostRole, type ValidationIssue } from '@wharf/model';

/** Lifetime of a token created without `ttl_seconds` (ECE: ephemeral roles tokens last 1 h). */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** Longest TTL accepted (30 days): a longer-lived token should be persistent on purpose. */
export const MAX_TOKEN_TTL_SECONDS = 30 * 86_400;

/** `POST .../roles-tokens`. */
export interface RolesTokenRequest {
  roles: HostRole[];
  persistent: boolean;
  /** Undefined: a persistent token without TTL never expires. */
  ttlSeconds: number | undefined;
}

function invalid(issues: ValidationIssue[]): WharfError {
  const first = issues[0]!;
  return new WharfError('WHARF_VALIDATION', `invalid request: ${first.path}: ${first.message}`, {
    details: issues,
  });
}

function rolesOf(value: unknown, issues: ValidationIssue[], allowEmpty: boolean): HostRole[] {
  if (!Array.isArray(value)) {
    issues.push({ path: 'roles', message: value === undefined ? 'is required' : 'must be an array' });
    return [];
  }
  value.forEach((role, i) => {
    if (!isHostRole(role))
      issues.push({ path: `roles[${i}]`, message: `must be one of ${HOST_ROLES.join(', ')}` });
  });
  const roles = value.filter(isHostRole);
  if (new Set(roles).size !== roles.length) issues.push({ path: 'roles', message: 'must not repeat a role' });
  if (!allowEmpty && value.length === 0)
    issues.push({ path: 'roles', message: 'must name at least one role' });
  return roles;
}

function unknownFields(
  body: Record<string, unknown>,
  allowed: readonly string[],
  issues: ValidationIssue[],
): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) issues.push({ path: key.slice(0, 64), message: 'is not allowed here' });
  }
}

/** Validates a roles-token request; throws 400 listing every issue. */
export function parseRolesTokenRequest(body: Record<string, unknown>): RolesTokenRequest {
  const issues: ValidationIssue[] = [];
  unknownFields(body, ['roles', 'persistent', 'ttl_seconds'], issues);
  const roles = rolesOf(body.roles, issues, false);
  const persistent = body.persistent ?? false;
  if (typeof persistent !== 'boolean') issues.push({ path: 'persistent', message: 'must be a boolean' });
  const ttl = body.ttl_seconds;
  if (
    ttl !== undefined &&
    (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_TOKEN_TTL_SECONDS)
  ) {
    issues.push({ path: 'ttl_seconds', message: `must be an integer 1-${MAX_TOKEN_TTL_SECONDS}` });
  }
  if (issues.length > 0) throw invalid(issues);
  const ttlSeconds =
    (ttl as number | undefined) ?? (persistent === true ? undefined : DEFAULT_TOKEN_TTL_SECONDS);
  return { roles, persistent: persistent as boolean, ttlSeconds };
}

/** Validates `PUT /platform/hosts/:id/roles`; throws 400 listing every issue. */
export function parseHostRolesRequest(body: Record<string, unknown>): HostRole[] {
  const issues: ValidationIssue[] = [];
  unknownFields(body, ['roles'], issues);
  const roles = rolesOf(body.roles, issues, true);
  if (issues.length > 0) throw invalid(issues);
  return roles;
}
