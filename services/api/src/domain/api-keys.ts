/**
 * API key management, the pure part: the `POST .../api-keys` body, the record a new key gets,
 * the public view of a record (never its hash or salt), expiry, and the rule that keeps an
 * installation from locking itself out: a DELETE that would leave no key that never expires is
 * refused.
 */
import { WharfError, isValidId, type ApiKeyRecord, type ValidationIssue } from '@wharf/model';
import { API_KEY_ROLES, type ApiKeyRole, effectiveRole, isApiKeyRole } from '../auth/rbac';

/** Longest description: it is shown in lists, not a document. */
export const MAX_DESCRIPTION_LENGTH = 128;
/** Longest lifetime a key can be created with (5 years); longer-lived keys should never expire on purpose. */
export const MAX_KEY_TTL_SECONDS = 5 * 365 * 86_400;
/** Keys an installation may hold: a bound against runaway scripts, far above any real use. */
export const MAX_API_KEYS = 1000;

/** A validated `POST .../api-keys` body. */
export interface ApiKeyRequest {
  description: string;
  /** Undefined: the key never expires. */
  expiresInSeconds: number | undefined;
  /** One role (`rbac.ts`); default `platform-admin`, as every key had before roles existed. */
  roles: ApiKeyRole[];
  /** Confines the key to one organization (checked to exist by the service). */
  organizationId?: string;
}

/** Control characters: a description is printed by the CLI and must not drive a terminal. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function invalid(issues: ValidationIssue[]): WharfError {
  const first = issues[0]!;
  return new WharfError('WHARF_VALIDATION', `invalid request: ${first.path}: ${first.message}`, {
    details: issues,
  });
}

/** Validates a create body; throws 400 listing every issue, before anything is written. */
export function parseApiKeyRequest(body: Record<string, unknown>): ApiKeyRequest {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body)) {
    if (!['description', 'expires_in_seconds', 'roles', 'organization_id'].includes(key))
      issues.push({ path: key.slice(0, 64), message: 'is not allowed here' });
  }
  const description = body.description;
  if (typeof description !== 'string') {
    issues.push({
      path: 'description',
      message: description === undefined ? 'is required' : 'must be a string',
    });
  } else if (description.trim() === '' || description.length > MAX_DESCRIPTION_LENGTH) {
    issues.push({ path: 'description', message: `must be 1-${MAX_DESCRIPTION_LENGTH} characters` });
  } else if (CONTROL_CHARACTERS.test(description)) {
    issues.push({ path: 'description', message: 'must not contain control characters' });
  }
  const ttl = body.expires_in_seconds;
  if (
    ttl !== undefined &&
    (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_KEY_TTL_SECONDS)
  ) {
    issues.push({ path: 'expires_in_seconds', message: `must be an integer 1-${MAX_KEY_TTL_SECONDS}` });
  }
  const roles = body.roles ?? ['platform-admin'];
  if (!Array.isArray(roles) || roles.length !== 1) {
    issues.push({ path: 'roles', message: `must list exactly one of ${API_KEY_ROLES.join(', ')}` });
  } else if (!isApiKeyRole(roles[0])) {
    issues.push({ path: 'roles[0]', message: `must be one of ${API_KEY_ROLES.join(', ')}` });
  }
  const organization = body.organization_id;
  if (organization !== undefined && !isValidId(organization)) {
    issues.push({ path: 'organization_id', message: 'must be a lowercase DNS label (a-z, 0-9, -)' });
  } else if (organization !== undefined && Array.isArray(roles) && roles[0] === 'platform-admin') {
    // A platform-admin manages the platform: it cannot be confined to an organization.
    issues.push({ path: 'roles[0]', message: "an organization's key is viewer or deployment-manager" });
  }
  if (issues.length > 0) throw invalid(issues);
  return {
    description: description as string,
    expiresInSeconds: ttl as number | undefined,
    roles: roles as ApiKeyRole[],
    ...(organization === undefined ? {} : { organizationId: organization as string }),
  };
}

/** The expiry instant of a key created at `now` with `request`, if it expires. */
export function expiryOf(request: ApiKeyRequest, now: Date): string | undefined {
  if (request.expiresInSeconds === undefined) return undefined;
  return new Date(now.getTime() + request.expiresInSeconds * 1000).toISOString();
}

/** True when the key has an expiry instant at or before `now` (ms). */
export function isExpired(record: Pick<ApiKeyRecord, 'expires'>, now: number): boolean {
  if (record.expires === undefined) return false;
  const at = Date.parse(record.expires);
  return Number.isNaN(at) || at <= now;
}

/** What `GET .../api-keys` shows of a key: never the hash or the salt. */
export interface ApiKeyView {
  id: string;
  description: string;
  created: string;
  expires?: string;
  expired: boolean;
  /** The key's role; `admin` keys from before roles existed show as `platform-admin`. */
  roles: string[];
  organization_id?: string;
}

/** The public view of a record (the record's `name` is the description). */
export function apiKeyView(record: ApiKeyRecord, now: number): ApiKeyView {
  return {
    id: record.id,
    description: record.name,
    created: record.created,
    ...(record.expires === undefined ? {} : { expires: record.expires }),
    expired: isExpired(record, now),
    roles: [effectiveRole(record.roles) ?? 'none'],
    ...(record.organization_id === undefined ? {} : { organization_id: record.organization_id }),
  };
}

/** Creation time, then id (ISO timestamps sort as text). */
export function compareKeys(a: ApiKeyRecord, b: ApiKeyRecord): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The lock-out rule: at least one `platform-admin` key that never expires must remain (an
 * expiring key alone would lock the installation out when it expires, and only a platform-admin
 * can create keys). `target` is undefined when the stored record is unreadable; `others` are every
 * other readable key. Returns the 409 to answer with, or undefined when the delete may go ahead.
 */
export function revocationBlocker(
  keyId: string,
  target: ApiKeyRecord | undefined,
  others: readonly ApiKeyRecord[],
): WharfError | undefined {
  const admin = (k: ApiKeyRecord) => effectiveRole(k.roles) === 'platform-admin';
  if (target !== undefined && !admin(target)) return undefined;
  const admins = others.filter(admin);
  const lastKey = admins.length === 0;
  const lastPermanent =
    target !== undefined && target.expires === undefined && !admins.some((k) => k.expires === undefined);
  if (!lastKey && !lastPermanent) return undefined;
  const message = lastKey
    ? 'is the last platform-admin API key; create another one first'
    : 'is the last platform-admin API key that never expires; create another one without expires_in_seconds first';
  return new WharfError('WHARF_CONFLICT', `API key ${keyId} ${message}`, {
    details: [{ path: 'id', message }],
  });
}
