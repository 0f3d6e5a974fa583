import { isDeepStrictEqual } from 'node:util';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { TreeCache, expireSession, type TreeCacheEvent, type ZkSession } from '@wharf/zk';

const zk = useZooKeeper();

interface Recorded {
  events: string[];
  initialized: number;
}

function record(cache: TreeCache): Recorded {
  const rec: Recorded = { events: [], initialized: 0 };
  const push = (e: TreeCacheEvent): void => {
    rec.events.push(`${e.type} ${e.path}${e.type === 'removed' ? '' : ` ${e.node.data.toString()}`}`);
  };
  cache.on('initialized', () => rec.initialized++);
  cache.on('added', push);
  cache.on('updated', push);
  cache.on('removed', push);
  return rec;
}

function dataOf(cache: TreeCache): Record<string, string> {
  return Object.fromEntries([...cache.snapshot()].map(([path, node]) => [path, node.data.toString()]));
}

const caches: TreeCache[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
});

async function startCache(
  session: ZkSession,
  root: string,
  depth = 1,
): Promise<{ cache: TreeCache; rec: Recorded }> {
  const cache = new TreeCache(session, root, { depth, resyncJitterMs: 10 });
  caches.push(cache);
  const rec = record(cache);
  await cache.start();
  return { cache, rec };
}

describe('TreeCache', () => {
  test('initializes once, then sees create / change / delete, and nothing for an unchanged version', async () => {
    const writer = await zk.session();
    await writer.mkdirp('/routes');
    await writer.create('/routes/r1', 'a');
    const session = await zk.session();
    let reconnects = 0;
    session.on('reconnected', () => reconnects++);
    const { cache, rec } = await startCache(session, '/routes');
    expect(rec.initialized).toBe(1);
    expect(rec.events).toEqual([]); // no per-node events before `initialized`
    expect(dataOf(cache)).toEqual({ '/routes': '', '/routes/r1': 'a' });

    await writer.create('/routes/r2', 'b');
    await waitFor(() => cache.get('/routes/r2'), { message: 'r2 added' });
    await writer.set('/routes/r1', 'a2', 0);
    await waitFor(() => cache.get('/routes/r1')?.stat.version === 1, { message: 'r1 updated' });
    await writer.delete('/routes/r2');
    await waitFor(() => !cache.get('/routes/r2'), { message: 'r2 removed' });
    // A grandchild is below the cached depth: no watch, no event.
    await writer.create('/routes/r1/deep', 'x');
    // Drop every connection: after the reconnect the cache reloads; versions are unchanged → no events.
    await zk.zk.restart();
    await waitFor(() => reconnects === 1, { message: 'reconnected' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the reload (jitter ≤ 10 ms) is done by now
    expect(rec.events).toEqual(['added /routes/r2 b', 'updated /routes/r1 a2', 'removed /routes/r2']);
    expect(rec.initialized).toBe(1);
    expect(cache.get('/routes/r1/deep')).toBeUndefined();
  }, 20_000);

  test('converges after the server restarts, with one event per change', async () => {
    const writer = await zk.session();
    await writer.mkdirp('/allocators/a1');
    await writer.create('/allocators/a1/live', 'up', 'ephemeral');
    await writer.mkdirp('/allocators/a2');
    const session = await zk.session();
    const { cache, rec } = await startCache(session, '/allocators', 2);
    expect(Object.keys(dataOf(cache)).sort()).toEqual([
      '/allocators',
      '/allocators/a1',
      '/allocators/a1/live',
      '/allocators/a2',
    ]);

    await zk.zk.stop();
    await waitFor(() => session.state === 'suspended', { message: 'cache session suspended' });
    await zk.zk.start();
    // Changes right after the restart, racing the cache's reconnect and reload.
    await writer.set('/allocators/a1', '{"zone":"z1"}', -1);
    await writer.create('/allocators/a2/live', 'up');
    await writer.deleteRecursive('/allocators/a1/live');
    await writer.create('/allocators/a3', 'new');

    const expected = {
      '/allocators': '',
      '/allocators/a1': '{"zone":"z1"}',
      '/allocators/a2': '',
      '/allocators/a2/live': 'up',
      '/allocators/a3': 'new',
    };
    // Compared as objects: a reload and incremental updates insert paths in different orders.
    await waitFor(() => isDeepStrictEqual(dataOf(cache), expected), { message: 'converged' }).catch(
      (err: unknown) => {
        expect(dataOf(cache)).toEqual(expected); // shows the diff
        throw err;
      },
    );
    expect([...rec.events].sort()).toEqual(
      [
        'added /allocators/a2/live up',
        'added /allocators/a3 new',
        'removed /allocators/a1/live',
        'updated /allocators/a1 {"zone":"z1"}',
      ].sort(),
    );
  }, 20_000);

  test('is rebuilt after its session expires and diffs old against new state', async () => {
    const writer = await zk.session();
    await writer.mkdirp('/routes');
    await writer.create('/routes/keep', 'k');
    await writer.create('/routes/gone', 'g');
    const session = await zk.session();
    const { cache, rec } = await startCache(session, '/routes');
    await expireSession(session);
    await writer.delete('/routes/gone');
    await writer.create('/routes/new', 'n');
    await waitFor(() => session.state === 'connected' && session.sessionCount === 2, {
      message: 'new session',
    });
    await waitFor(() => cache.get('/routes/new') && !cache.get('/routes/gone'), { message: 'converged' });
    expect(rec.events.sort()).toEqual(['added /routes/new n', 'removed /routes/gone']);
    // The watches are live again on the new session.
    await writer.set('/routes/keep', 'k2', -1);
    await waitFor(() => cache.get('/routes/keep')?.data.toString() === 'k2', { message: 'watch re-armed' });
  });

  test('removes a subtree when its parent goes; waits for a missing root', async () => {
    const writer = await zk.session();
    const { cache, rec } = await startCache(await zk.session(), '/allocators', 2);
    expect(cache.snapshot().size).toBe(0);
    expect(rec.initialized).toBe(1);
    await writer.mkdirp('/allocators/a1/instances');
    await waitFor(() => cache.get('/allocators/a1/instances'), { message: 'root created and loaded' });
    await writer.deleteRecursive('/allocators');
    await waitFor(() => cache.snapshot().size === 0, { message: 'all removed' });
    expect(rec.events.filter((e) => e.startsWith('removed'))).toEqual([
      'removed /allocators/a1/instances',
      'removed /allocators/a1',
      'removed /allocators',
    ]);
  });

  test('a burst of creates converges without piling up watchers', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const writer = await zk.session();
      await writer.mkdirp('/routes');
      const { cache } = await startCache(await zk.session(), '/routes');
      await Promise.all(Array.from({ length: 300 }, (_, i) => writer.create(`/routes/r${i}`, `${i}`)));
      await waitFor(() => cache.snapshot().size === 301, { message: '300 routes cached' });
      await Promise.all(Array.from({ length: 300 }, (_, i) => writer.set(`/routes/r${i}`, `${i}!`, -1)));
      await waitFor(() => [...cache.snapshot().values()].filter((n) => n.stat.version === 1).length === 300);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });
  test('publishes a root created with its children together with them, never empty', async () => {
    // A restore recreates `/routes` and its documents in one transaction: a reader of any snapshot
    // (the proxy's route table) must never see the root without the children it was created with.
    const session = await zk.session();
    const { cache } = await startCache(session, '/restored');
    const snapshots: string[][] = [];
    cache.on('changed', (snapshot: ReadonlyMap<string, unknown>) =>
      snapshots.push([...snapshot.keys()].sort()),
    );
    const writer = await zk.session();
    await writer
      .transaction()
      .create('/restored', '')
      .create('/restored/a', '1')
      .create('/restored/b', '2')
      .create('/restored/c', '3')
      .commit();
    await waitFor(() => cache.get('/restored/c'), { message: 'children loaded' });
    const expected = ['/restored', '/restored/a', '/restored/b', '/restored/c'];
    expect(snapshots.filter((keys) => keys.includes('/restored'))).toEqual([expected]);
  });
});
