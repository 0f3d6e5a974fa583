/** Shared test wiring: a runner on the test's chroot with real child processes. */
import { randomBytes, scryptSync } from 'node:crypto';
import { resolve } from 'node:path';
import { isWharfError, paths, serializeDocument, type HostRole, type RolesToken } from '@wharf/model';
import { createMetrics, nullLogger } from '@wharf/observability';
import { type ZooKeeperFixture } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import {
  ProcessLauncher,
  Runner,
  createRunnerMetrics,
  type HostFacts,
  type LaunchContext,
  type RunnerOptions,
} from '../src';

/** The repository's `services/` directory (each service's dist/main.js must be built). */
export const SERVICES_DIR = resolve(__dirname, '..', '..');

/** Cheap scrypt cost for test tokens: the verifier reads N from the record. */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 } as const;

/** A launch context for `hostId` on the fixture's chroot. */
export function context(
  zk: ZooKeeperFixture,
  home: string,
  hostId: string,
  proxyPort: number,
): LaunchContext {
  return {
    hostId,
    address: '127.0.0.1',
    zone: 'zone-a',
    zkConnectString: zk.connectString,
    zkChroot: zk.chroot,
    home,
    logLevel: 'info',
    domain: 'localhost',
    apiPort: 1, // no coordinator in these tests
    proxyPort,
    portRange: '21000-21099',
  };
}

/** A runner with a process launcher; the caller starts it and must close it. */
export function makeRunner(
  session: ZkSession,
  ctx: LaunchContext,
  extra: Partial<RunnerOptions> = {},
): Runner {
  return new Runner({
    zk: session,
    logger: nullLogger,
    metrics: createRunnerMetrics(createMetrics('runner')),
    launcher: new ProcessLauncher({ servicesDir: SERVICES_DIR, baseEnv: { PATH: process.env.PATH } }),
    context: ctx,
    version: '0.1.0',
    pid: process.pid,
    stopGraceMs: 5000,
    ...extra,
  });
}

/** Writes a roles token record and returns the token string. */
export async function createToken(
  session: ZkSession,
  roles: HostRole[],
  options: { persistent?: boolean; expiresInMs?: number } = {},
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

/** What a runner on `id` says about its host. */
export function hostFacts(id: string, zone = 'zone-a'): HostFacts {
  return {
    id,
    address: '127.0.0.1',
    zone,
    runtime: 'process',
    version: '0.1.0',
    started: new Date().toISOString(),
  };
}

/** `<code>: <message>` of the WharfError `promise` rejects with; throws if it resolves. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isWharfError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a refusal');
}
