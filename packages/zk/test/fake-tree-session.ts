import { WharfError } from '@wharf/model';
import { type ZkLogger } from '../src/logger';
import { type ZkSessionApi } from '../src/session-api';
import { type ZkNode, type ZkStat, type ZkWatcher } from '../src/types';

/** A logger that drops everything. */
export const silent: ZkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A stat with the two fields the tree cache compares. */
export function stat(czxid: number, version: number): ZkStat {
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

/** Lets the cache's reads and events run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

/** What {@link fakeTreeSession} hands a test. */
export interface FakeTreeSession {
  readonly api: ZkSessionApi;
  /** The tree behind the session, root `/r` included; tests may edit it directly. */
  readonly tree: Map<string, ZkNode>;
  /** Every read, as `get|children <path>[ +watch]` or `addWatch <path>`. */
  readonly calls: string[];
  /** A write by anyone: the node's one-shot data watch fires when one is armed. */
  set(path: string, data: string, version: number): void;
  /** A delete: the node's data watch and its parent's child watch fire. */
  remove(path: string): void;
  /** A create: the parent's child watch fires. */
  create(path: string, data: string, czxid: number): void;
  /** A notification of the persistent recursive watch, when one was added. */
  fire(type: 'created' | 'deleted' | 'dataChanged', path: string): void;
}

/**
 * The part of the session API a `TreeCache` uses, over an in-memory tree: one-shot data and
 * child watches as ZooKeeper arms them per read, and a persistent recursive watch that a server
 * older than 3.6 refuses (`refuseRecursive`). Every read is logged in `calls`.
 */
export function fakeTreeSession(options: { refuseRecursive?: boolean } = {}): FakeTreeSession {
  const tree = new Map<string, ZkNode>([['/r', { data: Buffer.alloc(0), stat: stat(1, 0) }]]);
  const calls: string[] = [];
  const dataWatches = new Map<string, ZkWatcher>();
  const childWatches = new Map<string, ZkWatcher>();
  let recursive: ZkWatcher | undefined;
  const fireOnce = (
    watches: Map<string, ZkWatcher>,
    path: string,
    type: 'dataChanged' | 'childrenChanged',
  ) => {
    const w = watches.get(path);
    watches.delete(path);
    w?.({ type, path });
  };
  const parent = (path: string): string => path.slice(0, path.lastIndexOf('/'));
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
    addRecursiveWatch: async (path: string, watcher: ZkWatcher) => {
      calls.push(`addWatch ${path}`);
      if (options.refuseRecursive === true)
        throw new WharfError('WHARF_ZK_ERROR', 'zookeeper addWatch failed: UNIMPLEMENTED');
      recursive = watcher;
    },
  } as unknown as ZkSessionApi;
  return {
    api,
    tree,
    calls,
    set(path, data, version) {
      tree.set(path, { data: Buffer.from(data), stat: stat(9, version) });
      fireOnce(dataWatches, path, 'dataChanged');
    },
    remove(path) {
      tree.delete(path);
      fireOnce(dataWatches, path, 'dataChanged');
      fireOnce(childWatches, parent(path), 'childrenChanged');
    },
    create(path, data, czxid) {
      tree.set(path, { data: Buffer.from(data), stat: stat(czxid, 0) });
      fireOnce(childWatches, parent(path), 'childrenChanged');
    },
    fire: (type, path) => recursive?.({ type, path }),
  };
}
