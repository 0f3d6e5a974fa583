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
  const hash = scryptSync(secret, salt, 32, TEST_SCRYPT).toString('hex');
  const now = Date.now();
  const record: RolesToken = {
    schema_version: 1,
    id,
    hash: `scrypt$${TEST_SCRYPT.N}$${TEST_SCRYPT.r}$${TEST_SCRYPT.p}$${hash}`,
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
