/**
 * ZooKeeper down: the allocator keeps its instances running (and even restarts a crashed one)
 * without ZooKeeper, tears nothing down, and reports the truth once ZooKeeper is back.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { stackCatalog } from '../src/index';
import {
  containerOf,
  httpSpec,
  pidAlive,
  putSpec,
  readStatus,
  writeServerScript,
  useAllocatorHome,
  statusWhen,
} from './harness';

jest.setTimeout(60_000);

const zkf = useZooKeeper();
const ALLOC = 'alloc-z';
/** Longer than the test session timeout (2 s): the session is lost, not just suspended. */
const OUTAGE_MS = 4_000;
const home = useAllocatorHome(zkf, 'wharf-allocator-zk');

test('instances outlive a ZooKeeper outage, crash restarts go on, status catches up after', async () => {
  const script = await writeServerScript(home.path);
  const zk = await zkf.session();
  const running = await home.start(ALLOC, stackCatalog());
  const r = running;
  await putSpec(zk, httpSpec(ALLOC, 'd1-main-0', script));
  await waitFor(async () => (await readStatus(zk, ALLOC, 'd1-main-0'))?.healthy, { message: 'healthy' });
  const pid = (await containerOf(r.runtime, 'd1-main-0'))!.pid!;
  home.pids.add(pid);

  await zkf.zk.stop();
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  expect(pidAlive(pid)).toBe(true);
  process.kill(pid, 'SIGKILL');
  const again = await waitFor(
    async () => {
      const c = await containerOf(r.runtime, 'd1-main-0');
      return c?.state === 'running' && c.pid !== pid ? c.pid : undefined;
    },
    { message: 'restarted without ZooKeeper' },
  );
  home.pids.add(again!);

  await zkf.zk.start();
  const status = await statusWhen(
    zk,
    ALLOC,
    'd1-main-0',
    (s) => s.restarts === 1 && s.state === 'running' && s.healthy,
    { timeoutMs: 20_000, message: 'status caught up' },
  );
  expect(status.last_exit).toMatchObject({ signal: 'SIGKILL' });
  expect(pidAlive(again!)).toBe(true);
  await waitFor(async () => (await zk.exists(paths.allocatorLive(ALLOC))) !== null, {
    timeoutMs: 15_000,
    message: 'live node back',
  });
});

test('a wiped ZooKeeper (the specs root gone) removes nothing; the restored specs take over unchanged', async () => {
  const script = await writeServerScript(home.path);
  const zk = await zkf.session();
  const running = await home.start(ALLOC, stackCatalog());
  const r = running;
  const spec = httpSpec(ALLOC, 'd1-main-0', script);
  await putSpec(zk, spec);
  await waitFor(async () => (await readStatus(zk, ALLOC, 'd1-main-0'))?.healthy, { message: 'healthy' });
  const pid = (await containerOf(r.runtime, 'd1-main-0'))!.pid!;
  home.pids.add(pid);

  // ZooKeeper loses its data directory and comes back empty: sessions expire, the tree is gone.
  await zkf.zk.stop();
  await rm(join(zkf.zk.dataDir, 'version-2'), { recursive: true, force: true });
  await zkf.zk.start();
  const top = await zkf.session({ chroot: '' });
  await waitFor(async () => ((await top.exists(zkf.chroot)) === null ? true : undefined), {
    message: 'tree empty',
  });
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  expect(pidAlive(pid)).toBe(true);
  expect((await containerOf(r.runtime, 'd1-main-0'))?.pid).toBe(pid);

  // The restore brings the spec back: the same process goes on.
  await top.mkdirp(zkf.chroot);
  await putSpec(zk, spec);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await containerOf(r.runtime, 'd1-main-0'))?.pid).toBe(pid);

  // With the root present, a spec deleted is a removal again.
  await zk.delete(paths.instanceSpec(ALLOC, 'd1-main-0'));
  await waitFor(async () => ((await containerOf(r.runtime, 'd1-main-0')) === undefined ? true : undefined), {
    timeoutMs: 15_000,
    message: 'removed once the spec alone is deleted',
  });
  expect(pidAlive(pid)).toBe(false);
});
