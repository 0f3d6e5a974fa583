import { fakeTreeSession, settle, stat } from '../test/fake-tree-session';
import { TreeCache } from './tree-cache';

test('under a recursive watch an add, a change and a delete read only the named node', async () => {
  const zk = fakeTreeSession();
  zk.tree.set('/r/a', { data: Buffer.from('a'), stat: stat(2, 0) });
  const cache = new TreeCache(zk.api, '/r', { recursiveWatch: true });
  await cache.start();
  expect(cache.usesRecursiveWatch).toBe(true);
  expect(zk.calls).toEqual(['addWatch /r', 'get /r', 'children /r', 'get /r/a']); // no watches armed
  zk.calls.length = 0;
  const batches: string[][] = [];
  cache.on('batch', (events) => batches.push(events.map((e) => `${e.type} ${e.path}`)));

  zk.tree.set('/r/b', { data: Buffer.from('b'), stat: stat(3, 0) });
  zk.fire('created', '/r/b');
  await settle();
  zk.tree.set('/r/a', { data: Buffer.from('a2'), stat: stat(2, 1) });
  zk.fire('dataChanged', '/r/a');
  await settle();
  zk.tree.delete('/r/b');
  zk.fire('deleted', '/r/b');
  zk.fire('created', '/r/a/deeper'); // below the cached depth: ignored
  await settle();
  expect(batches).toEqual([['added /r/b'], ['updated /r/a'], ['removed /r/b']]);
  expect(zk.calls).toEqual(['get /r/b', 'get /r/a', 'get /r/b']);
  await cache.close();
});

test('a server that refuses the recursive watch gets per-node watches instead', async () => {
  const zk = fakeTreeSession({ refuseRecursive: true });
  zk.tree.set('/r/a', { data: Buffer.from('a'), stat: stat(2, 0) });
  const cache = new TreeCache(zk.api, '/r', { recursiveWatch: true });
  await cache.start();
  expect(cache.usesRecursiveWatch).toBe(false);
  expect(cache.isInitialized).toBe(true);
  expect(zk.calls).toEqual(['addWatch /r', 'get /r +watch', 'children /r +watch', 'get /r/a +watch']);
  await cache.close();
});

test('without the option, or with a session lacking it, nothing changes', async () => {
  const zk = fakeTreeSession();
  const cache = new TreeCache(zk.api, '/r');
  await cache.start();
  expect(cache.usesRecursiveWatch).toBe(false);
  expect(zk.calls).toEqual(['get /r +watch', 'children /r +watch']);
  await cache.close();
});
