import { fakeTreeSession, settle, silent, stat } from '../test/fake-tree-session';
import { TreeCache } from './tree-cache';

function seeded() {
  const zk = fakeTreeSession();
  zk.tree.set('/r/own', { data: Buffer.from('o0'), stat: stat(2, 0) });
  zk.tree.set('/r/other', { data: Buffer.from('x0'), stat: stat(3, 0) });
  const cache = new TreeCache(zk.api, '/r', {
    logger: silent,
    watchData: (path) => !path.endsWith('/own'),
  });
  return { zk, cache };
}

test('a node excluded by watchData is read once without a watch; its writes cost no read', async () => {
  const { zk, cache } = seeded();
  await cache.start();
  expect(zk.calls).toEqual([
    'get /r +watch',
    'children /r +watch',
    'get /r/other +watch',
    'get /r/own', // no watch armed: the consumer keeps it current from its own writes
  ]);
  zk.calls.length = 0;
  const events: string[] = [];
  cache.on('batch', (batch) => events.push(...batch.map((e) => `${e.type} ${e.path}`)));
  zk.set('/r/own', 'o1', 1);
  zk.set('/r/own', 'o2', 2);
  await settle();
  expect(zk.calls).toEqual([]);
  expect(events).toEqual([]);
  await cache.close();
});

test('the watched sibling still reads each write, and the unwatched node removal is still seen', async () => {
  const { zk, cache } = seeded();
  await cache.start();
  zk.calls.length = 0;
  const events: string[] = [];
  cache.on('batch', (batch) => events.push(...batch.map((e) => `${e.type} ${e.path}`)));
  zk.set('/r/other', 'x1', 1);
  await settle();
  expect(zk.calls).toEqual(['get /r/other +watch']);
  expect(cache.get('/r/other')?.data.toString()).toBe('x1');
  zk.remove('/r/own');
  await settle();
  expect(events).toEqual(['updated /r/other', 'removed /r/own']);
  expect(cache.get('/r/own')).toBeUndefined();
  // Re-created: found through the parent's child watch and read once, still without a watch.
  zk.calls.length = 0;
  zk.create('/r/own', 'n0', 10);
  await settle();
  expect(zk.calls).toEqual(['children /r +watch', 'get /r/own']);
  expect(cache.get('/r/own')?.data.toString()).toBe('n0');
  await cache.close();
});
