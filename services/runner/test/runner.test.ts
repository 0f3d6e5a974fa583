/**
 * The runner against a real ZooKeeper, starting real service processes (services/proxy and
 * services/allocator must be built): roles drive what runs, crashes are restarted, removed roles
 * stop their services, and the live node tells what runs.
 */
import { paths, parseDocument, serializeDocument, type HostRole } from '@wharf/model';
import { freePort, tempDir, useZooKeeper, waitFor, type TempDir } from '@wharf/testkit';
import { type ZkSession, updateJson } from '@wharf/zk';
import { createTestLogger } from '@wharf/observability';
import { isProcessAlive } from '@wharf/supervise';
import { type Runner } from '../src';
import { context, createToken, makeRunner } from './helpers';

const zk = useZooKeeper();
let home: TempDir;
let runner: Runner | undefined;

beforeEach(async () => {
  home = await tempDir('wharf-runner');
});

afterEach(async () => {
  await runner?.close();
  runner = undefined;
  await home.cleanup();
});

async function setRoles(session: ZkSession, host: string, roles: HostRole[]): Promise<void> {
  await updateJson(session, paths.host(host), (cur) => ({ ...(cur as object), roles }));
}

async function liveServices(session: ZkSession, host: string) {
  const node = await session.get(paths.hostLive(host));
  return parseDocument('host-live', node.data).services;
}

async function healthOk(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/_health`);
    return res.status === 200;
  } catch {
    return false;
  }
}

test('roles drive the services: proxy starts, a crash is restarted, removing the role stops it, allocator starts', async () => {
  const session = await zk.session();
  const proxyPort = await freePort();
  runner = makeRunner(session, context(zk, home.path, 'h1', proxyPort));
  const registration = await runner.start();
  expect(registration.roles).toEqual([]);
  expect(registration.runtime).toBe('process');
  await waitFor(async () => (await session.exists(paths.hostLive('h1'))) !== null);

  await setRoles(session, 'h1', ['proxy']);
  await waitFor(() => healthOk(proxyPort), { timeoutMs: 15_000, message: 'proxy healthy' });
  const first = await waitFor(async () =>
    (await liveServices(session, 'h1')).find((s) => s.state === 'running'),
  );
  expect(first).toMatchObject({ service: 'proxy', id: 'proxy-h1', restarts: 0, port: proxyPort });
  const pid = first.pid!;
  expect(isProcessAlive(pid)).toBe(true);

  // A crash is noticed and the proxy restarted (after the first back-off step).
  process.kill(pid, 'SIGKILL');
  const second = await waitFor(
    async () => (await liveServices(session, 'h1')).find((s) => s.state === 'running' && s.pid !== pid),
    { timeoutMs: 15_000, message: 'proxy restarted' },
  );
  expect(second.restarts).toBe(1);
  await waitFor(() => healthOk(proxyPort), { timeoutMs: 15_000, message: 'restarted proxy healthy' });

  // Role removed: the process goes, and the live node says nothing runs.
  await setRoles(session, 'h1', []);
  await waitFor(() => !isProcessAlive(second.pid!), { timeoutMs: 10_000, message: 'proxy stopped' });
  await waitFor(async () => (await liveServices(session, 'h1')).length === 0);

  // Allocator role: an allocator registers itself as `allocator-h1`.
  await setRoles(session, 'h1', ['allocator']);
  await waitFor(async () => (await session.exists(paths.allocatorLive('allocator-h1'))) !== null, {
    timeoutMs: 15_000,
    message: 'allocator live',
  });
  const services = await liveServices(session, 'h1');
  expect(services.map((s) => s.id)).toEqual(['allocator-h1']);
}, 60_000);

test('close stops every service and removes the live node; roles survive a re-registration', async () => {
  const session = await zk.session();
  const [proxyPort, directorPort] = [await freePort(), await freePort()];
  await session.mkdirp(paths.hosts());
  await session.create(
    paths.host('h2'),
    serializeDocument('host-registration', {
      schema_version: 1,
      id: 'h2',
      address: '127.0.0.1',
      zone: 'zone-a',
      roles: ['proxy', 'director'],
      runtime: 'process',
      version: '0.0.1',
      started: new Date(0).toISOString(),
    }),
  );
  const logger = createTestLogger();
  runner = makeRunner(session, context(zk, home.path, 'h2', proxyPort, directorPort), { logger });
  const registration = await runner.start();
  expect(registration.roles).toEqual(['proxy', 'director']);
  expect(registration.version).toBe('0.1.0');
  const proxy = await waitFor(
    async () =>
      (await liveServices(session, 'h2')).find((s) => s.service === 'proxy' && s.state === 'running'),
    {
      timeoutMs: 15_000,
    },
  );
  // The director role runs the director: its CA is published and its quorum status is live.
  await waitFor(async () => (await session.exists(paths.directorStatus('director-h2'))) !== null, {
    timeoutMs: 20_000,
    message: 'director status',
  });
  expect(parseDocument('director-ca', (await session.get(paths.directorCa())).data).director).toBe(
    'director-h2',
  );
  const director = (await liveServices(session, 'h2')).find((s) => s.service === 'director')!;
  expect(director).toMatchObject({ id: 'director-h2', state: 'running', port: directorPort });
  await updateJson(session, paths.host('h2'), (cur) => ({
    ...(cur as object),
    roles: ['proxy', 'director'],
  }));
  await runner.settled();
  await runner.close();
  runner = undefined;
  expect(isProcessAlive(proxy.pid!)).toBe(false);
  expect(isProcessAlive(director.pid!)).toBe(false);
  expect(await session.exists(paths.hostLive('h2'))).toBeNull();
}, 40_000);

test('a restarted runner presenting its used one-shot token again keeps its host and roles', async () => {
  const session = await zk.session();
  const token = await createToken(session, ['proxy']);
  const proxyPort = await freePort();
  runner = makeRunner(session, context(zk, home.path, 'h3', proxyPort), {
    join: { token, roles: ['proxy'] },
  });
  expect((await runner.start()).roles).toEqual(['proxy']);
  await runner.close();
  // The same settings again (a runner container with a restart policy): the token is used up,
  // but the host is registered, so the runner starts with the roles it has.
  runner = makeRunner(session, context(zk, home.path, 'h3', proxyPort), {
    join: { token, roles: ['proxy'] },
  });
  expect((await runner.start()).roles).toEqual(['proxy']);
  // A new host cannot use it.
  const other = makeRunner(session, context(zk, home.path, 'h4', await freePort()), {
    join: { token, roles: ['proxy'] },
  });
  await expect(other.start()).rejects.toMatchObject({ code: 'WHARF_UNAUTHORIZED' });
  await other.close();
  expect(await session.exists(paths.host('h4'))).toBeNull();
}, 40_000);
