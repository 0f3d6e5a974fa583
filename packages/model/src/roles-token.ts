/**
 * Roles tokens as a joining host presents them: `wharf_<tokenId>_<secret>` (the api's API-key
 * format, created by `POST /platform/configuration/security/roles-tokens`). The record at
 * `/platform/security/roles-tokens/<tokenId>` holds an scrypt hash `scrypt$N$r$p$hex` and its salt,
 * the same encoding as API keys, verified here in constant time. Shared by the runner (joining a
 * host) and the director (enrolling one); both consume a one-shot token with a versioned write.
 */
import { scrypt, timingSafeEqual } from 'node:crypto';
import { WharfError } from './errors';
import { isValidId } from './ids';
import { type HostRole, type RolesToken } from './schemas/hosts';

/** Every token starts with this (the API-key prefix). */
export const ROLES_TOKEN_PREFIX = 'wharf_';
/** Derived key length in bytes (as the api writes it). */
const HASH_BYTES = 32;
/** Upper bound for the N a stored hash may ask for (a tampered record must not exhaust memory). */
const MAX_SCRYPT_N = 1_048_576;
/** Longest secret accepted: 32 random bytes in base64url are 43 characters. */
const MAX_SECRET_LENGTH = 128;

/** A token split into its parts. */
export interface ParsedRolesToken {
  readonly id: string;
  readonly secret: string;
}

/** Parses `wharf_<id>_<secret>`; undefined when the string is not shaped like a token. */
export function parseRolesToken(token: string): ParsedRolesToken | undefined {
  if (!token.startsWith(ROLES_TOKEN_PREFIX)) return undefined;
  const rest = token.slice(ROLES_TOKEN_PREFIX.length);
  const sep = rest.indexOf('_');
  if (sep <= 0) return undefined;
  const id = rest.slice(0, sep);
  const secret = rest.slice(sep + 1);
  if (!isValidId(id) || !/^[A-Za-z0-9_-]+$/.test(secret) || secret.length > MAX_SECRET_LENGTH)
    return undefined;
  return { id, secret };
}

/** True when `secret` matches the record's hash. */
export async function verifyTokenSecret(
  secret: string,
  record: Pick<RolesToken, 'hash' | 'salt'>,
): Promise<boolean> {
  const parts = record.hash.split('$');
  if (parts.length !== 5 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const expected = Buffer.from(parts[4] ?? '', 'hex');
  const valid = [N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) && N <= MAX_SCRYPT_N;
  if (!valid || expected.length !== HASH_BYTES) return false;
  const derived = await new Promise<Buffer>((resolve, reject) => {
    scrypt(
      secret,
      Buffer.from(record.salt, 'hex'),
      HASH_BYTES,
      { N, r, p, maxmem: 256 * N * r },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
  return timingSafeEqual(derived, expected);
}

/** What a token is presented for: the roles asked for, the clock, and the host presenting it. */
export interface RolesTokenUse {
  readonly roles: readonly HostRole[];
  readonly now: Date;
  /** The host presenting the token: a one-shot token enrolled by another host is refused. */
  readonly hostId?: string;
  /** `enrol`: the token must not have enrolled a host yet (one-shot); `join` (default): not joined. */
  readonly purpose?: 'join' | 'enrol';
}

/** WHARF_UNAUTHORIZED naming `token` (`details: [{ path: 'token', message }]`). */
export function rolesTokenRefused(message: string): WharfError {
  return new WharfError('WHARF_UNAUTHORIZED', message, { details: [{ path: 'token', message }] });
}

/**
 * Checks a token's secret against its record and the use it is presented for; throws
 * WHARF_UNAUTHORIZED (bad secret, expired, used up, enrolled by another host) or WHARF_FORBIDDEN
 * (revoked, naming `token`; roles the token does not grant, naming `roles`).
 */
export async function checkRolesToken(record: RolesToken, secret: string, use: RolesTokenUse): Promise<void> {
  if (!(await verifyTokenSecret(secret, record))) throw rolesTokenRefused('invalid roles token');
  if (record.revoked !== undefined) {
    const message = 'roles token revoked';
    throw new WharfError('WHARF_FORBIDDEN', message, { details: [{ path: 'token', message }] });
  }
  if (record.expires !== undefined && Date.parse(record.expires) <= use.now.getTime())
    throw rolesTokenRefused('roles token expired');
  if (!record.persistent) {
    if (use.purpose === 'enrol' && record.enrolled_by !== undefined)
      throw rolesTokenRefused('roles token already used');
    if (use.purpose !== 'enrol' && record.used === true) throw rolesTokenRefused('roles token already used');
    const owner = use.purpose === 'enrol' ? record.used_by : record.enrolled_by;
    if (owner !== undefined && use.hostId !== undefined && owner !== use.hostId)
      throw rolesTokenRefused('roles token already used by another host');
  }
  const outside = use.roles.filter((role) => !record.roles.includes(role));
  if (outside.length > 0) {
    const message = `roles not granted by the token: ${outside.join(', ')}`;
    throw new WharfError('WHARF_FORBIDDEN', message, { details: [{ path: 'roles', message }] });
  }
}
