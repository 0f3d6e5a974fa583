/**
 * The part of a `@wharf/zk` session the constructor's appliers use, typed structurally so the
 * appliers stay independent of the session class (and easy to drive with a fake).
 */

/** How a znode is created. */
export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

/** A znode's data and the stat fields the constructor uses. */
export interface NodeData {
  readonly data: Buffer;
  readonly stat: { readonly version: number };
}

/** A MULTI builder: every operation applies or none does. */
export interface TransactionPort {
  create(path: string, data?: Buffer | string, mode?: CreateMode): this;
  set(path: string, data: Buffer | string, version: number): this;
  delete(path: string, version?: number): this;
  check(path: string, version: number): this;
  commit(): Promise<unknown[]>;
}

/** Promise ZooKeeper operations (paths relative to the chroot). */
export interface ZkPort {
  get(path: string): Promise<NodeData>;
  exists(path: string): Promise<{ readonly version: number } | null>;
  children(path: string): Promise<string[]>;
  create(path: string, data?: Buffer | string, mode?: CreateMode): Promise<string>;
  set(path: string, data: Buffer | string, version: number): Promise<{ readonly version: number }>;
  delete(path: string, version?: number): Promise<void>;
  mkdirp(path: string): Promise<void>;
  deleteRecursive(path: string): Promise<void>;
  transaction(): TransactionPort;
}
