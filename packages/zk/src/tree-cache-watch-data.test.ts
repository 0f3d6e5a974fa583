import { WharfError } from '@wharf/model';
import { type ZkLogger } from './logger';
import { type ZkSessionApi } from './session-api';
import { TreeCache } from './tree-cache';
import { type ZkNode, type ZkStat, type ZkWatcher } from './types';

const silent: ZkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function stat(czxid: number, version: number): ZkStat {
  return { czxid: BigInt(czxid), version } as unknown as ZkStat;
}

/** An in-memory tree with one-shot watches (as ZooKeeper arms them per read); every call is logged. */
function fakeSession() {
  const tree = new Map<string, ZkNode>();
  const calls: string[] = [];
  const dataWatches = new Map<string, ZkWatcher>();
  const childWatches = new Map<string, ZkWatcher>();
  const fire = (watches: Map<string, ZkWatcher>, path: string, type: 'dataChanged' | 'childrenChanged') => {
    const w = watches.get(path);
    watches.delete(path);
    w?.({ type, path });
  };
  const api = {
    state: 'connected',
    sessionId: '1',
    logger: silent,
    clock: { now: () => 0, sleep: () => Promise.resolve(), random: () => 0 },
    onStateChange: () => () => undefined,
    get: async (path: string, watcher?: ZkWatcher) => {
      calls.push(`get ${path}${watcher ? ' +watch' : ''}`);
      const node = tree.get(path);
      if (node === undefined) throw new WharfError('WHARF_ZK_NO_NODE', 'no node', { details: { path } });
      if (watcher) dataWatches.set(path, watcher);
      return node;
    },
    exists: async (path: string) => tree.get(path)?.stat ?? null,
    children: async (path: string, watcher?: ZkWatcher) => {
      calls.push(`children ${path}${watcher ? ' +watch' : ''}`);
      if (watcher) childWatches.set(path, watcher);
      return [...tree.keys()]
        .filter((p) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes('/'))
        .map((p) => p.slice(path.length + 1))
        .sort();
    },
  } as unknown as ZkSessionApi;
  /** A write by anyone: the node's data watch fires when one is armed. */
  const set = (path: string, data: string, version: number): void => {
    tree.set(path, { data: Buffer.from(data), stat: stat(9, version) });
    fire(dataWatches, path, 'dataChanged');
  };
  const remove = (path: string): void => {
    tree.delete(path);
    fire(dataWatches, path, 'dataChanged');
    fire(childWatches, path.slice(0, path.lastIndexOf('/')), 'childrenChanged');
  };
  const create = (path: string, data: string, czxid: number): void => {
    tree.set(path, { data: Buffer.from(data), stat: stat(czxid, 0) });
    fire(childWatches, path.slice(0, path.lastIndexOf('/')), 'childrenChanged');
  };
  return { api, tree, calls, set, remove, create };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

function seeded() {
  const zk = fakeSession();
  zk.tree.set('/r', { data: Buffer.alloc(0), stat: stat(1, 0) });
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
