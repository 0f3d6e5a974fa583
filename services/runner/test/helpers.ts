/** Shared test wiring: a runner on the test's chroot with real child processes. */
import { resolve } from 'node:path';
import { isWharfError } from '@wharf/model';
import { createMetrics, nullLogger } from '@wharf/observability';
import { createRolesToken, type ZooKeeperFixture } from '@wharf/testkit';
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

/** A launch context for `hostId` on the fixture's chroot. */
export function context(
  zk: ZooKeeperFixture,
  home: string,
  hostId: string,
  proxyPort: number,
  directorPort = 1, // no director unless a test asks for one
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
    directorPort,
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

/** Writes a roles token record and returns the token string (testkit's `createRolesToken`). */
export const createToken = createRolesToken;

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
