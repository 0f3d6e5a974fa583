import { randomBytes, scryptSync } from 'node:crypto';
import { paths, serializeDocument, type HostRole, type RolesToken } from '@wharf/model';
import { type ZkSession } from '@wharf/zk';

/** scrypt cost for test tokens: the api's format with a cheap N, so a check takes ~1 ms. */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 } as const;

/** Options of {@link createRolesToken}. */
export interface TestRolesTokenOptions {
  readonly persistent?: boolean;
  /** Expiry from now (negative: already expired); default an hour. */
  readonly expiresInMs?: number;
  /** scrypt N (default 1024; the api's is 32768, for benchmarks that want its real cost). */
  readonly scryptN?: number;
}

/**
 * Writes a roles token record as the api does (`/platform/security/roles-tokens/<id>`, scrypt
 * hash and salt) and returns the token string `wharf_<id>_<secret>`.
 */
export async function createRolesToken(
  session: ZkSession,
  roles: HostRole[],
  options: TestRolesTokenOptions = {},
): Promise<string> {
  const id = `r${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  const scrypt = { ...TEST_SCRYPT, N: options.scryptN ?? TEST_SCRYPT.N };
  const hash = scryptSync(secret, salt, 32, { ...scrypt, maxmem: 256 * scrypt.N * scrypt.r }).toString('hex');
  const now = Date.now();
  const record: RolesToken = {
    schema_version: 1,
    id,
    hash: `scrypt$${scrypt.N}$${scrypt.r}$${scrypt.p}$${hash}`,
    salt: salt.toString('hex'),
    roles,
    persistent: options.persistent ?? false,
    expires: new Date(now + (options.expiresInMs ?? 3_600_000)).toISOString(),
    created: new Date(now).toISOString(),
  };
  await session.mkdirp(paths.rolesTokens());
  await session.create(paths.rolesToken(id), serializeDocument('roles-token', record));
  return `wharf_${id}_${secret}`;
}
