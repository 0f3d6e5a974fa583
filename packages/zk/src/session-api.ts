import { type ZkClock } from './clock';
import { type ZkLogger } from './logger';
import {
  type ZkChildren,
  type ZkCreateMode,
  type ZkData,
  type ZkNode,
  type ZkSessionState,
  type ZkStat,
  type ZkStateChange,
  type ZkWatcher,
} from './types';

/**
 * The part of a session the recipes use. {@link ZkSession} implements it; recipes depend on this
 * interface only, which keeps them free of import cycles and easy to drive with a fake.
 */
export interface ZkSessionApi {
  readonly state: ZkSessionState;
  /** Current session id (16 hex digits) or null. */
  readonly sessionId: string | null;
  readonly logger: ZkLogger;
  readonly clock: ZkClock;
  /** True when `ephemeralOwner` is the current session or one this object held before. */
  isOwnSession(ephemeralOwner: string | null): boolean;
  /** Subscribes to connection events; returns an unsubscribe function. */
  onStateChange(listener: (change: ZkStateChange) => void): () => void;
  create(path: string, data?: ZkData, mode?: ZkCreateMode): Promise<string>;
  mkdirp(path: string): Promise<void>;
  get(path: string, watcher?: ZkWatcher): Promise<ZkNode>;
  set(path: string, data: ZkData, version: number): Promise<ZkStat>;
  delete(path: string, version?: number): Promise<void>;
  exists(path: string, watcher?: ZkWatcher): Promise<ZkStat | null>;
  children(path: string, watcher?: ZkWatcher): Promise<string[]>;
  childrenWithStat(path: string, watcher?: ZkWatcher): Promise<ZkChildren>;
  /** Persistent recursive watch on `path` (ZooKeeper 3.6+); absent in fakes that lack it. */
  addRecursiveWatch?(path: string, watcher: ZkWatcher): Promise<void>;
  /** Undoes {@link addRecursiveWatch} for `watcher`. */
  removeRecursiveWatch?(path: string, watcher: ZkWatcher): Promise<void>;
}
