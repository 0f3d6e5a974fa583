/**
 * The allocator against a real ZooKeeper and a real ProcessRuntime running a tiny Node HTTP
 * server per instance: the hold → reserved → release handshake, health, crash restarts,
 * removal, adoption across an allocator restart, the advertisement and its live node.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '@wharf/model';
import { type TempDir, tempDir, useZooKeeper, waitFor } from '@wharf/testkit';
import { expireSession } from '@wharf/zk';
import { stackCatalog } from '../src/index';
import {
  type Running,
  containerOf,
  httpGet,
  httpSpec,
  pidAlive,
  processesMentioning,
  putSpec,
  randomPortRange,
  readStatus,
  startAllocator,
  writeServerScript,
  statusWhen,
} from './harness';

jest.setTimeout(30_000);

/** Several probe intervals (150 ms) and ticks (500 ms) of the test allocators. */
const STEADY_MS = 1_200;

const zkf = useZooKeeper();
const ALLOC = 'alloc-a';
let home: TempDir;
let script: string;
const stacks = stackCatalog();
const running: Running[] = [];
const pids = new Set<number>();

beforeEach(async () => {
  home = await tempDir('wharf-allocator');
  script = await writeServerScript(home.path);
});

afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const c of await r.runtime.list().catch(() => [])) if (c.pid) pids.add(c.pid);
    await r.allocator.shutdown({ stopInstances: true }).catch(() => undefined);
    await r.runtime.close().catch(() => undefined);
  }
  for (const pid of pids) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  const stray = await processesMentioning(home.path);
  for (const pid of stray) process.kill(pid, 'SIGKILL');
  await home.cleanup();
  expect(stray).toEqual([]);
});

afterAll(() => {
  const stray = [...pids].filter(pidAlive);
  expect(stray).toEqual([]);
});

async function start(
  extra: { id?: string; portRange?: { from: number; to: number } } = {},
): Promise<Running> {
  const zk = await zkf.session();
  const r = await startAllocator(zk, stacks, {
    id: extra.id ?? ALLOC,
    home: home.path,
    portRange: extra.portRange ?? randomPortRange(),
  });
  running.push(r);
  return r;
}

async function statusWhere(
  zk: Awaited<ReturnType<typeof zkf.session>>,
  instance: string,
  ok: (s: NonNullable<Awaited<ReturnType<typeof readStatus>>>) => boolean,
  message: string,
) {
  return statusWhen(zk, ALLOC, instance, (s) => s && ok(s), { timeoutMs: 15_000, message });
}

async function pidOf(r: Running, instance: string): Promise<number> {
  const c = await waitFor(async () => (await containerOf(r.runtime, instance))?.pid, { message: 'pid' });
  pids.add(c);
  return c;
}

test('a held spec is reserved with ports and not started; releasing it starts it healthy', async () => {
  const zk = await zkf.session();
  const r = await start();
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script, { hold: true, generation: 1 }));
  const reserved = await statusWhere(zk, 'd1-main-0', (s) => s.state === 'reserved', 'reserved');
  expect(reserved).toMatchObject({ host: '127.0.0.1', generation: 1, healthy: false });
  expect(Object.keys(reserved.ports)).toEqual(['http']);
  expect(await r.runtime.list()).toEqual([]);

  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script, { hold: false, generation: 2 }));
  const up = await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'running+healthy');
  expect(up).toMatchObject({ generation: 2, restarts: 0, ports: reserved.ports });
  expect(await httpGet(up.ports.http!)).toBe(200);
  await pidOf(r, 'd1-main-0');

  // Steady state: probes and ticks keep passing, but nothing new is written.
  const version = (await zk.exists(paths.instanceStatus(ALLOC, 'd1-main-0')))!.version;
  await new Promise((resolve) => setTimeout(resolve, STEADY_MS));
  expect((await zk.exists(paths.instanceStatus(ALLOC, 'd1-main-0')))!.version).toBe(version);
});

test('a killed instance is restarted with back-off and reported healthy again', async () => {
  const zk = await zkf.session();
  const r = await start();
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'running');
  const pid = await pidOf(r, 'd1-main-0');
  process.kill(pid, 'SIGKILL');
  const back = await statusWhere(
    zk,
    'd1-main-0',
    (s) => s.state === 'running' && s.healthy && s.restarts === 1,
    'restarted',
  );
  expect(back.last_exit).toMatchObject({ signal: 'SIGKILL' });
  const again = await pidOf(r, 'd1-main-0');
  expect(again).not.toBe(pid);
  expect(pidAlive(pid)).toBe(false);
});

test('a hung instance is reported unhealthy after consecutive failed probes, and healthy again', async () => {
  const zk = await zkf.session();
  const r = await start();
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'running');
  const pid = await pidOf(r, 'd1-main-0');
  process.kill(pid, 'SIGSTOP');
  try {
    const sick = await statusWhere(zk, 'd1-main-0', (s) => !s.healthy, 'unhealthy');
    expect(sick).toMatchObject({ state: 'running', restarts: 0 });
    expect(sick.message).toMatch(/unhealthy/);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await statusWhere(zk, 'd1-main-0', (s) => s.healthy, 'healthy again');
  expect((await containerOf(r.runtime, 'd1-main-0'))?.pid).toBe(pid);
});

test('deleting the spec stops the process and removes its data dir and status', async () => {
  const zk = await zkf.session();
  const r = await start();
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'running');
  const pid = await pidOf(r, 'd1-main-0');
  const dataDir = join(home.path, 'allocators', ALLOC, 'instances', 'd1-main-0', 'data');
  expect(existsSync(dataDir)).toBe(true);

  await zk.delete(paths.instanceSpec(ALLOC, 'd1-main-0'));
  await waitFor(async () => (await readStatus(zk, ALLOC, 'd1-main-0')) === undefined, {
    message: 'status deleted',
  });
  expect(pidAlive(pid)).toBe(false);
  expect(existsSync(dataDir)).toBe(false);
  expect(await r.runtime.list()).toEqual([]);
});

test('a members-only change keeps the process; a settings change recreates it', async () => {
  const zk = await zkf.session();
  const r = await start();
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'running');
  const pid = await pidOf(r, 'd1-main-0');
  const members = [{ name: 'd1-main-1', host: '127.0.0.1', ports: { http: 1 } }];
  await putSpec(
    zk,
    httpSpec(ALLOC, 'd1-main-0', script, { generation: 2, cluster: { token: 't', state: 'new', members } }),
  );
  await statusWhere(zk, 'd1-main-0', (s) => s.generation === 2, 'generation 2');
  expect(await pidOf(r, 'd1-main-0')).toBe(pid);

  const settings = { command: [process.execPath, script, '{{host}}', '{{port}}', 'v2'] };
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script, { generation: 3, settings }));
  const s = await statusWhere(
    zk,
    'd1-main-0',
    (x) => x.generation === 3 && x.state === 'running' && x.healthy,
    'generation 3',
  );
  expect(s.restarts).toBe(0);
  expect(await pidOf(r, 'd1-main-0')).not.toBe(pid);
  expect(pidAlive(pid)).toBe(false);
});

test('a new allocator adopts running instances, keeps reservations and removes orphans', async () => {
  const zk = await zkf.session();
  const range = randomPortRange();
  const first = await start({ portRange: range });
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-1', script));
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-2', script, { hold: true }));
  for (const i of ['d1-main-0', 'd1-main-1'])
    await statusWhere(zk, i, (s) => s.state === 'running' && s.healthy, i);
  const held = await statusWhere(zk, 'd1-main-2', (s) => s.state === 'reserved', 'reserved');
  const keep = await pidOf(first, 'd1-main-0');
  const orphan = await pidOf(first, 'd1-main-1');
  const before = await readStatus(zk, ALLOC, 'd1-main-0');

  await first.close();
  running.splice(running.indexOf(first), 1);
  await zk.delete(paths.instanceSpec(ALLOC, 'd1-main-1'));
  expect(pidAlive(keep) && pidAlive(orphan)).toBe(true);

  const second = await start({ portRange: range });
  await waitFor(() => !pidAlive(orphan), { message: 'orphan stopped' });
  await waitFor(async () => (await readStatus(zk, ALLOC, 'd1-main-1')) === undefined, {
    message: 'orphan status deleted',
  });
  expect(existsSync(join(home.path, 'allocators', ALLOC, 'instances', 'd1-main-1'))).toBe(false);
  expect(pidAlive(keep)).toBe(true);
  expect((await containerOf(second.runtime, 'd1-main-0'))?.pid).toBe(keep);
  expect(await readStatus(zk, ALLOC, 'd1-main-0')).toMatchObject({
    restarts: 0,
    state: 'running',
    ports: before!.ports,
  });
  expect((await readStatus(zk, ALLOC, 'd1-main-2'))?.ports).toEqual(held.ports);

  // New instances never get a port another instance holds (d1-main-2's is only reserved, not bound).
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-3', script, { hold: true }));
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-4', script, { hold: true }));
  const fresh = await Promise.all(
    ['d1-main-3', 'd1-main-4'].map((i) => statusWhere(zk, i, (s) => s.state === 'reserved', `${i} reserved`)),
  );
  const all = [before!.ports.http, held.ports.http, ...fresh.map((s) => s.ports.http)];
  expect(new Set(all).size).toBe(all.length);
});

test('after a host restart, stale healthy statuses are corrected before the live node appears', async () => {
  const zk = await zkf.session();
  const range = randomPortRange();
  const first = await start({ portRange: range });
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'healthy');
  const pid = await pidOf(first, 'd1-main-0');
  await first.close();
  running.splice(running.indexOf(first), 1);
  // The host "restarts": the instance dies while no allocator runs; its status still says healthy.
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !pidAlive(pid), { message: 'instance gone' });
  const live = paths.allocatorLive(ALLOC);
  await waitFor(async () => (await zk.exists(live)) === null, { message: 'old live node gone' });
  expect(await readStatus(zk, ALLOC, 'd1-main-0')).toMatchObject({ healthy: true });

  const appeared = new Promise<void>((resolve) => void zk.exists(live, () => resolve()));
  await start({ portRange: range });
  await appeared;
  const [status, liveStat] = await Promise.all([
    zk.get(paths.instanceStatus(ALLOC, 'd1-main-0')),
    zk.exists(live),
  ]);
  // Whatever the status said when `live` was created must not have been the stale "healthy".
  if (status.stat.mzxid < liveStat!.czxid)
    expect(JSON.parse(status.data.toString())).toMatchObject({ healthy: false });
  await statusWhere(zk, 'd1-main-0', (s) => s.state === 'running' && s.healthy, 'restarted healthy');
});

test('the advertisement keeps maintenance across a restart; the live node survives session expiry', async () => {
  const zk = await zkf.session();
  const first = await start();
  const ad = JSON.parse((await zk.get(paths.allocator(ALLOC))).data.toString());
  expect(ad).toMatchObject({
    id: ALLOC,
    zone: 'zone-a',
    maintenance: false,
    capacity: { memory_mb: 4096, cpus: 2 },
    runtime: 'process',
  });
  await zk.set(paths.allocator(ALLOC), JSON.stringify({ ...ad, maintenance: true }), -1);
  await first.close();
  running.splice(running.indexOf(first), 1);
  expect(await zk.exists(paths.allocatorLive(ALLOC))).toBeNull();

  const second = await start();
  const after = JSON.parse((await zk.get(paths.allocator(ALLOC))).data.toString());
  expect(after.maintenance).toBe(true);
  expect(await zk.exists(paths.allocatorLive(ALLOC))).not.toBeNull();
  expect(await zk.exists(paths.serviceLive('allocator', ALLOC))).not.toBeNull();

  const owner = (await zk.exists(paths.allocatorLive(ALLOC)))!.ephemeralOwner;
  await expireSession(second.zk);
  await waitFor(
    async () => {
      const stat = await zk.exists(paths.allocatorLive(ALLOC));
      return stat !== null && stat.ephemeralOwner !== owner;
    },
    { timeoutMs: 15_000, message: 'live node re-created' },
  );
});
