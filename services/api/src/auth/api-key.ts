/**
 * API keys: `wharf_<keyId>_<secret>`. The key id names the stored record
 * (`/platform/security/api-keys/<keyId>`); the secret is 32 random bytes (base64url) that is
 * never stored: the record holds an scrypt hash and its salt. scrypt is slow on purpose, so
 * callers cache successful verifications (see `authenticate.ts`).
 */
import { createHash, randomBytes, scrypt } from 'node:crypto';
import { parseRolesToken, verifyTokenSecret, type ApiKeyRecord } from '@wharf/model';

/** Every key starts with this, so a leaked key is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'wharf_';
/** Random bytes in a secret: 256 bits, beyond brute force. */
export const SECRET_BYTES = 32;
/** base64url length of {@link SECRET_BYTES}. */
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 4) / 3);
/** Random bytes in a key id (hex): enough to never collide among a handful of keys. */
const KEY_ID_BYTES = 6;
/** Salt bytes per record. */
const SALT_BYTES = 16;
/** Derived key length in bytes. */
const HASH_BYTES = 32;
/**
 * scrypt cost parameters (N=2^15, r=8, p=1: about 50-100 ms and 32 MiB per verification,
 * OWASP's minimum). Stored with each hash as `scrypt$N$r$p$hex` so they can be raised later.
 */
export const SCRYPT_PARAMS = { N: 32_768, r: 8, p: 1 } as const;

const SECRET_REGEX = new RegExp(`^[A-Za-z0-9_-]{${SECRET_LENGTH}}$`);

/** A key as presented by a client, split into its parts. */
export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

/** A freshly generated key: the full key (shown once) and the record to store. */
export interface GeneratedApiKey {
  key: string;
  record: ApiKeyRecord;
}

/**
 * Parses `wharf_<keyId>_<secret>`; undefined when the string is not shaped like a key. Roles
 * tokens share the format (`@wharf/model`'s parser); an API key's secret has an exact length.
 */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const parsed = parseRolesToken(key);
  if (parsed === undefined || !SECRET_REGEX.test(parsed.secret)) return undefined;
  return { keyId: parsed.id, secret: parsed.secret };
}

/** The key presented in `Authorization: ApiKey <key>`, or undefined. */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^ApiKey[ ]+(\S+)[ ]*$/i.exec(header);
  return match?.[1];
}

/** sha256 of a key, hex: the cache key for verified keys (the key itself is never kept). */
export function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function deriveKey(
  secret: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  // maxmem: scrypt needs 128*N*r bytes; leave headroom over Node's 32 MiB default.
  const maxmem = 256 * params.N * params.r;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, HASH_BYTES, { ...params, maxmem }, (err, derived) =>
      err ? reject(err) : resolve(derived),
    );
  });
}

/** Generates a new key and its stored record. */
export async function generateApiKey(
  name: string,
  now: Date,
  roles: string[] = ['platform-admin'],
): Promise<GeneratedApiKey> {
  const keyId = `k${randomBytes(KEY_ID_BYTES).toString('hex')}`;
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const salt = randomBytes(SALT_BYTES);
  const derived = await deriveKey(secret, salt, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return {
    key: `${API_KEY_PREFIX}${keyId}_${secret}`,
    record: {
      schema_version: 1,
      id: keyId,
      name,
      hash: `scrypt$${N}$${r}$${p}$${derived.toString('hex')}`,
      salt: salt.toString('hex'),
      created: now.toISOString(),
      roles,
    },
  };
}

/** True when `secret` matches the record's hash (constant-time comparison). */
export async function verifySecret(secret: string, record: ApiKeyRecord): Promise<boolean> {
  // The same `scrypt$N$r$p$hex` encoding as roles tokens, checked by one function.
  return verifyTokenSecret(secret, record);
}
