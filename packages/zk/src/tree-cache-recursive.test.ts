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
  return {
    czxid: BigInt(czxid),
    mzxid: 0n,
    pzxid: 0n,
    ctime: 0,
    mtime: 0,
    version,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: null,
    dataLength: 0,
    numChildren: 0,
  } as unknown as ZkStat;
}

/** An in-memory tree behind the part of the session API the cache uses; every call is logged. */
function fakeSession(refuse: boolean): {
  api: ZkSessionApi;
  tree: Map<string, ZkNode>;
  calls: string[];
  fire: (type: 'created' | 'deleted' | 'dataChanged', path: string) => void;
} {
  const tree = new Map<string, ZkNode>([['/r', { data: Buffer.alloc(0), stat: stat(1, 0) }]]);
  const calls: string[] = [];
  let recursive: ZkWatcher | undefined;
  const noNode = (path: string): WharfError =>
    new WharfError('WHARF_ZK_NO_NODE', 'no node', { details: { path } });
  const api = {
    state: 'connected',
    sessionId: '1',
    logger: silent,
    clock: { now: () => 0, sleep: () => Promise.resolve(), random: () => 0 },
    onStateChange: () => () => undefined,
    get: async (path: string, watcher?: ZkWatcher) => {
      calls.push(`get ${path}${watcher ? ' +watch' : ''}`);
      const node = tree.get(path);
      if (node === undefined) throw noNode(path);
      return node;
    },
    exists: async (path: string) => tree.get(path)?.stat ?? null,
    children: async (path: string, watcher?: ZkWatcher) => {
      calls.push(`children ${path}${watcher ? ' +watch' : ''}`);
      return [...tree.keys()]
        .filter((p) => p.startsWith(`${path}/`))
        .map((p) => p.slice(path.length + 1))
        .sort();
    },
    addRecursiveWatch: async (path: string, watcher: ZkWatcher) => {
      calls.push(`addWatch ${path}`);
      if (refuse) throw new WharfError('WHARF_ZK_ERROR', 'zookeeper addWatch failed: UNIMPLEMENTED');
      recursive = watcher;
    },
  } as unknown as ZkSessionApi;
  return { api, tree, calls, fire: (type, path) => recursive?.({ type, path }) };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

test('under a recursive watch an add, a change and a delete read only the named node', async () => {
  const zk = fakeSession(false);
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
  const zk = fakeSession(true);
  zk.tree.set('/r/a', { data: Buffer.from('a'), stat: stat(2, 0) });
  const cache = new TreeCache(zk.api, '/r', { recursiveWatch: true });
  await cache.start();
  expect(cache.usesRecursiveWatch).toBe(false);
  expect(cache.isInitialized).toBe(true);
  expect(zk.calls).toEqual(['addWatch /r', 'get /r +watch', 'children /r +watch', 'get /r/a +watch']);
  await cache.close();
});

test('without the option, or with a session lacking it, nothing changes', async () => {
  const zk = fakeSession(false);
  const cache = new TreeCache(zk.api, '/r');
  await cache.start();
  expect(cache.usesRecursiveWatch).toBe(false);
  expect(zk.calls).toEqual(['get /r +watch', 'children /r +watch']);
  await cache.close();
});
