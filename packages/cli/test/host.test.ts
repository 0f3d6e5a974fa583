/**
 * `wharf host join` as a user runs it: the built CLI spawns the real runner, which validates the
 * roles token against a real ZooKeeper. A one-shot token joins once (and the runner starts the
 * role's service), a second join with it is refused, roles outside the token are refused. The
 * first host joins with `--bootstrap`, once per installation. Plain mode (`--insecure`, which warns
 * on stderr): host-secure.test.ts joins over mutual TLS, the default.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths, parseDocument } from '@wharf/model';
import {
  createRolesToken,
  freePort,
  isProcessAlive,
  useZooKeeper,
  waitFor,
  useTempDir,
} from '@wharf/testkit';
import { INSECURE_WARNING, type RunnerRecord } from '../src/commands/host-join';
import { runCli } from './cli-process';

const zk = useZooKeeper();
const home = useTempDir('wharf-host');
const started: number[] = [];

afterEach(async () => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await waitFor(() => !isProcessAlive(pid), { timeoutMs: 15_000 }).catch(() =>
      process.kill(-pid, 'SIGKILL'),
    );
  }
});

/** `wharf host join`; `token` undefined: `--bootstrap` (the installation's first host). */
async function join_(
  token: string | undefined,
  host: string,
  roles: string,
  env: Record<string, string> = {},
) {
  const result = await runCli(
    [
      'host',
      'join',
      '--insecure',
      '--zk',
      zk.connectString,
      '--zk-chroot',
      zk.chroot,
      ...(token === undefined ? ['--bootstrap'] : ['--token', token]),
      '--zone',
      'zone-b',
      '--roles',
      roles,
      '--host-id',
      host,
    ],
    { WHARF_HOME: home.path, ...env },
    40_000,
  );
  // Every runner a join left behind is stopped after the test, whatever the test asserts next.
  await runnerPid(host).catch(() => undefined);
  return result;
}

async function runnerPid(host: string): Promise<number> {
  const record = JSON.parse(
    await readFile(join(home.path, 'run', `runner-${host}.json`), 'utf8'),
  ) as RunnerRecord;
  started.push(record.pid);
  return record.pid;
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

test('host join: a one-shot token starts a runner once; reuse and extra roles are refused', async () => {
  const session = await zk.session();
  const token = await createRolesToken(session, ['allocator']);

  const first = await join_(token, 'cli-h1', 'allocator');
  expect(first.stderr).toBe(INSECURE_WARNING);
  expect(first.code).toBe(0);
  const record = { pid: await runnerPid('cli-h1') };
  expect(parseDocument('host-registration', (await session.get(paths.host('cli-h1'))).data)).toMatchObject({
    roles: ['allocator'],
    zone: 'zone-b',
  });
  await waitFor(async () => (await session.exists(paths.allocatorLive('allocator-cli-h1'))) !== null, {
    timeoutMs: 15_000,
    message: 'allocator started by the joined runner',
  });

  const again = await join_(token, 'cli-h2', 'allocator');
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('the roles token was refused');
  expect(again.stderr).toContain('roles token already used');
  expect(await session.exists(paths.host('cli-h2'))).toBeNull();

  const other = await createRolesToken(session, ['proxy']);
  const outside = await join_(other, 'cli-h3', 'proxy,coordinator');
  expect(outside.code).toBe(1);
  expect(outside.stderr).toContain('roles not granted by the token: coordinator');

  // SIGTERM to the runner stops its services and its live node goes.
  process.kill(record.pid, 'SIGTERM');
  await waitFor(() => !isProcessAlive(record.pid), { timeoutMs: 15_000 });
  // The runner stops its allocator first (up to its stop grace) and removes its live node last.
  await waitFor(async () => (await session.exists(paths.allocatorLive('allocator-cli-h1'))) === null, {
    timeoutMs: 15_000,
  });
  await waitFor(async () => (await session.exists(paths.hostLive('cli-h1'))) === null, { timeoutMs: 15_000 });
}, 60_000);

test('end to end: a bootstrapped coordinator host runs the api; its roles token joins a proxy host; roles changed through the api', async () => {
  const session = await zk.session();
  const apiPort = await freePort();
  const proxyPort = await freePort();
  const first = await join_(undefined, 'coord', 'coordinator', { WHARF_API_PORT: String(apiPort) });
  expect(first.code).toBe(0);
  await runnerPid('coord');
  // One bootstrap per installation: the next host needs a token.
  const second = await join_(undefined, 'coord2', 'coordinator');
  expect(second.code).toBe(1);
  expect(second.stderr).toContain('the bootstrap was refused');
  expect(await session.exists(paths.host('coord2'))).toBeNull();
  const api = `http://127.0.0.1:${apiPort}`;
  await waitFor(() => ok(`${api}/api/v1/health`), {
    timeoutMs: 20_000,
    message: 'api started by the runner',
  });
  const key = (
    await waitFor(() => readFile(join(home.path, 'hosts', 'coord', 'credentials', 'api-key'), 'utf8'))
  ).trim();
  const cli = (args: string[]) =>
    runCli(['--api', api, '--api-key', key, ...args], { WHARF_HOME: home.path }, 20_000);

  const created = await fetch(`${api}/api/v1/platform/configuration/security/roles-tokens`, {
    method: 'POST',
    headers: { authorization: `ApiKey ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ roles: ['proxy'] }),
  });
  expect(created.status).toBe(201);
  const { token } = (await created.json()) as { token: string };
  const joined = await join_(token, 'edge', 'proxy', { WHARF_PROXY_PORT: String(proxyPort) });
  expect(joined.code).toBe(0);
  await runnerPid('edge');
  await waitFor(() => ok(`http://127.0.0.1:${proxyPort}/_health`), { timeoutMs: 15_000, message: 'proxy' });

  const listed = await cli(['host', 'list', '--json']);
  expect(listed.code).toBe(0);
  const hosts = JSON.parse(listed.stdout) as {
    id: string;
    roles: string[];
    connected: boolean;
    services: { id: string; pid?: number }[];
  }[];
  expect(hosts.map((h) => [h.id, h.roles, h.connected])).toEqual([
    ['coord', ['coordinator'], true],
    ['edge', ['proxy'], true],
  ]);
  expect(hosts[0]!.services.map((s) => s.id).sort()).toEqual(['api-coord', 'constructor-coord']);
  const proxyPid = hosts[1]!.services[0]!.pid!;

  const changed = await cli(['host', 'roles', 'edge', '']);
  expect(changed.code).toBe(0);
  await waitFor(() => !isProcessAlive(proxyPid), {
    timeoutMs: 15_000,
    message: 'proxy stopped after its role was removed',
  });
  const refused = await cli(['host', 'roles', 'edge', 'chef']);
  expect(refused.code).toBe(1);
}, 60_000);
