/**
 * Persistent recursive watches (`addWatch`, opcode 106) against the real ZooKeeper 3.8: the
 * events name the created, changed and deleted node; the watch is re-added after a reconnect;
 * and a tree cache using it learns of an add or delete without re-reading the child list.
 */
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { TreeCache, expireSession, type ZkSession, type ZkSessionApi, type ZkWatchEvent } from '@wharf/zk';

const zk = useZooKeeper();

/** The session with every `children()` call counted (the O(routes) read this feature removes). */
function countingChildren(session: ZkSession): { api: ZkSessionApi; calls: () => number } {
  let calls = 0;
  const api = new Proxy(session, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'children') {
        return (...args: Parameters<ZkSession['children']>) => {
          calls += 1;
          return target.children(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { api: api as ZkSessionApi, calls: () => calls };
}

test('a recursive watch names each created, changed and deleted node at any depth', async () => {
  const writer = await zk.session();
  const session = await zk.session();
  await writer.mkdirp('/pw/a');
  const events: ZkWatchEvent[] = [];
  await session.addRecursiveWatch('/pw', (event) => events.push(event));
  // A one-shot watch on a path the recursive watch also covers still fires (one notification).
  const oneShot: ZkWatchEvent[] = [];
  await session.get('/pw/a', (event) => oneShot.push(event));

  await writer.create('/pw/a/x', 'one');
  await writer.set('/pw/a/x', 'two', -1);
  await writer.set('/pw/a', 'parent', -1);
  await writer.delete('/pw/a/x');
  await writer.create('/elsewhere', 'no');
  await waitFor(() => events.length >= 4, { message: 'four events' });
  expect(events).toEqual([
    { type: 'created', path: '/pw/a/x' },
    { type: 'dataChanged', path: '/pw/a/x' },
    { type: 'dataChanged', path: '/pw/a' },
    { type: 'deleted', path: '/pw/a/x' },
  ]);
  expect(oneShot).toEqual([{ type: 'dataChanged', path: '/pw/a' }]);
  // The library still answers everything else on this connection.
  expect((await session.get('/pw/a')).data.toString()).toBe('parent');
});

test('a tree cache on a recursive watch reads no child list per change and survives a reconnect', async () => {
  const writer = await zk.session();
  await writer.mkdirp('/routes');
  await Promise.all(Array.from({ length: 20 }, (_, i) => writer.create(`/routes/r${i}`, `${i}`)));
  const session = await zk.session({ sessionTimeoutMs: 3000, operationTimeoutMs: 300 });
  const { api, calls } = countingChildren(session);
  const cache = new TreeCache(api, '/routes', { depth: 1, recursiveWatch: true, resyncJitterMs: 10 });
  try {
    await cache.start();
    expect(cache.usesRecursiveWatch).toBe(true);
    expect(cache.snapshot().size).toBe(21);
    const afterLoad = calls();

    await writer.create('/routes/new', 'n');
    await writer.delete('/routes/r0');
    await writer.set('/routes/r1', 'changed', -1);
    await waitFor(
      () =>
        cache.get('/routes/new') !== undefined &&
        cache.get('/routes/r0') === undefined &&
        cache.get('/routes/r1')?.data.toString() === 'changed',
      { message: 'add, delete and change applied' },
    );
    expect(calls()).toBe(afterLoad); // named by the event: no `/routes` child list re-read

    // Freeze past the watchdog's suspend point: the connection is dropped and re-opened (same
    // session); the server forgot the watch with the old connection, so the cache must re-add it.
    await zk.zk.freeze();
    try {
      await waitFor(() => session.state === 'suspended', { timeoutMs: 5000, message: 'suspended' });
    } finally {
      zk.zk.thaw();
    }
    await waitFor(() => session.state === 'connected', { timeoutMs: 8000, message: 'reconnected' });
    await waitFor(() => calls() > afterLoad, { message: 'reload after reconnect' });
    const settled = await waitFor(
      async () => {
        const before = calls();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return calls() === before ? before : undefined;
      },
      { message: 'reload settled' },
    );
    await writer.create('/routes/after', 'a');
    await writer.delete('/routes/new');
    await waitFor(() => cache.get('/routes/after') !== undefined && cache.get('/routes/new') === undefined, {
      timeoutMs: 5000,
      message: 'changes after the reconnect seen',
    });
    expect(calls()).toBe(settled);
  } finally {
    await cache.close();
  }
}, 30_000);

test('after a session expiry the cache adds its watch on the new session and hears changes again', async () => {
  const writer = await zk.session();
  await writer.mkdirp('/routes');
  await writer.create('/routes/r0', '0');
  const session = await zk.session();
  const cache = new TreeCache(session, '/routes', { depth: 1, recursiveWatch: true, resyncJitterMs: 10 });
  try {
    await cache.start();
    const before = session.sessionId;
    await expireSession(session);
    await waitFor(() => session.state === 'connected' && session.sessionId !== before, {
      timeoutMs: 10_000,
      message: 'new session',
    });
    await writer.create('/routes/r1', '1');
    await writer.set('/routes/r0', 'changed', -1);
    await waitFor(
      () => cache.get('/routes/r1') !== undefined && cache.get('/routes/r0')?.data.toString() === 'changed',
      { timeoutMs: 5000, message: 'changes on the new session seen' },
    );
    await writer.delete('/routes/r1');
    await waitFor(() => cache.get('/routes/r1') === undefined, { message: 'delete seen' });
    expect(cache.usesRecursiveWatch).toBe(true);
  } finally {
    await cache.close();
  }
}, 30_000);
