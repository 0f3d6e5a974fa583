/**
 * Roles tokens as a joining host presents them: `wharf_<tokenId>_<secret>` (the api's API-key
 * format, created by `POST /platform/configuration/security/roles-tokens`). The record at
 * `/platform/security/roles-tokens/<tokenId>` holds an scrypt hash `scrypt$N$r$p$hex` and its salt,
 * the same encoding as API keys, verified here in constant time.
 */
import { scrypt, timingSafeEqual } from 'node:crypto';
import { isValidId, type RolesToken } from '@wharf/model';

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
