/**
 * The tree cache's `batch` event against a real ZooKeeper: a consumer that starts from the
 * `initialized` snapshot and applies each batch (never copying the snapshot) ends up with exactly
 * what ZooKeeper holds, through bursts and a session expiry.
 */
import { isDeepStrictEqual } from 'node:util';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { TreeCache, expireSession, type ZkSession } from '@wharf/zk';

const zk = useZooKeeper();
const caches: TreeCache[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
});

/** path → data, as ZooKeeper holds it now under `root` (depth 1). */
async function truth(session: ZkSession, root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { [root]: (await session.get(root)).data.toString() };
  for (const name of await session.children(root)) {
    out[`${root}/${name}`] = (await session.get(`${root}/${name}`)).data.toString();
  }
  return out;
}

/** A consumer's own copy, kept from the initial snapshot plus the batches. */
function mirror(cache: TreeCache): { data: Map<string, string>; batches: number } {
  const state = { data: new Map<string, string>(), batches: 0 };
  cache.on('initialized', (snapshot) => {
    for (const [path, node] of snapshot) state.data.set(path, node.data.toString());
  });
  cache.on('batch', (events) => {
    state.batches += 1;
    for (const e of events) {
      if (e.type === 'removed') state.data.delete(e.path);
      else state.data.set(e.path, e.node.data.toString());
      // `get()` answers from the published state, in step with the batch.
      expect(cache.get(e.path)?.data.toString()).toBe(
        e.type === 'removed' ? undefined : e.node.data.toString(),
      );
    }
  });
  return state;
}

test('a consumer applying batches converges on ZooKeeper through bursts and a session expiry', async () => {
  const writer = await zk.session();
  await writer.mkdirp('/routes');
  await Promise.all(Array.from({ length: 50 }, (_, i) => writer.create(`/routes/r${i}`, `${i}`)));
  const session = await zk.session();
  const cache = new TreeCache(session, '/routes', { depth: 1, resyncJitterMs: 10 });
  caches.push(cache);
  const state = mirror(cache);
  await cache.start();
  const converged = async (message: string) => {
    const expected = await truth(writer, '/routes');
    await waitFor(() => isDeepStrictEqual(Object.fromEntries(state.data), expected), { message }).catch(
      (err: unknown) => {
        expect(Object.fromEntries(state.data)).toEqual(expected);
        throw err;
      },
    );
    expect(Object.fromEntries([...cache.snapshot()].map(([p, n]) => [p, n.data.toString()]))).toEqual(
      expected,
    );
  };
  await converged('loaded');

  // A burst: adds, updates and deletes at once.
  await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => writer.create(`/routes/n${i}`, `n${i}`)),
    ...Array.from({ length: 20 }, (_, i) => writer.set(`/routes/r${i}`, `${i}!`, -1)),
    ...Array.from({ length: 10 }, (_, i) => writer.delete(`/routes/r${40 + i}`)),
  ]);
  await converged('burst applied');
  expect(state.batches).toBeGreaterThan(0);

  // Session loss: changes made meanwhile arrive as the reload's diff, in a batch.
  const before = state.batches;
  await expireSession(session);
  await writer.delete('/routes/n0');
  await writer.set('/routes/r30', 'after-expiry', -1);
  await writer.create('/routes/late', 'late');
  await waitFor(() => session.state === 'connected' && session.sessionCount === 2, {
    message: 'new session',
  });
  await converged('resynced');
  expect(state.batches).toBeGreaterThan(before);
}, 30_000);

test('the snapshot is copied on demand and keeps its identity between batches', async () => {
  const writer = await zk.session();
  await writer.mkdirp('/routes');
  await writer.create('/routes/a', 'a');
  const cache = new TreeCache(await zk.session(), '/routes', { depth: 1 });
  caches.push(cache);
  let batches = 0;
  cache.on('batch', () => (batches += 1));
  await cache.start();
  const first = cache.snapshot();
  expect(cache.snapshot()).toBe(first);
  await writer.create('/routes/b', 'b');
  await waitFor(() => batches > 0, { message: 'batch' });
  expect(cache.get('/routes/b')?.data.toString()).toBe('b');
  const second = cache.snapshot();
  expect(second).not.toBe(first);
  expect(first.has('/routes/b')).toBe(false); // a published snapshot never changes
  expect(second.has('/routes/b')).toBe(true);
});
