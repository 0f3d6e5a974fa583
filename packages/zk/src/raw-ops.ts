import * as zookeeper from 'node-zookeeper-client';
import { type Done } from './raw-client';
import { toZkStat } from './stat';
import { type RawTxResult, type ZkTxOp } from './transaction';
import { type ZkChildren, type ZkCreateMode, type ZkNode, type ZkStat, type ZkWatcher } from './types';
import { type WatchRouter } from './watch-router';

/*
 * Each function adapts one library call to `(done) => void` for RawClient.call. Watchers are
 * routed through the WatchRouter: the library sees one stable dispatcher per (kind, path) and our
 * watcher is recorded only when the call succeeded and was still awaited.
 */

/** Library flag for each create mode. */
export const CREATE_MODE_FLAGS: Readonly<Record<ZkCreateMode, number>> = Object.freeze({
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
});

type Invoke<T> = (done: Done<T>) => void;

/** create → the created path (with the sequence suffix for sequential modes); `acl` default: open. */
export function rawCreate(
  client: zookeeper.Client,
  path: string,
  data: Buffer,
  mode: ZkCreateMode,
  acl?: zookeeper.ACL[],
): Invoke<string> {
  return (done) => {
    const cb = (err: unknown, created: string): void => void done(err, created);
    if (acl === undefined) client.create(path, data, CREATE_MODE_FLAGS[mode], cb);
    else client.create(path, data, acl, CREATE_MODE_FLAGS[mode], cb);
  };
}

/** mkdirp: persistent, empty parents; existing nodes are fine. */
export function rawMkdirp(client: zookeeper.Client, path: string, acl?: zookeeper.ACL[]): Invoke<void> {
  return (done) =>
    acl === undefined
      ? client.mkdirp(path, (err) => done(err))
      : client.mkdirp(path, acl, (err) => done(err));
}

/** getData, optionally arming a data watch. */
export function rawGet(
  client: zookeeper.Client,
  router: WatchRouter,
  path: string,
  watcher?: ZkWatcher,
): Invoke<ZkNode> {
  return (done) => {
    const cb = (err: unknown, data: Buffer | undefined, stat: zookeeper.Stat): void => {
      const value = err ? undefined : { data: data ?? Buffer.alloc(0), stat: toZkStat(stat) };
      if (done(err, value) && !err && watcher) router.add('data', path, watcher);
    };
    if (watcher) client.getData(path, router.dispatcher('data', path), cb);
    else client.getData(path, cb);
  };
}

/** setData at `version`. */
export function rawSet(
  client: zookeeper.Client,
  path: string,
  data: Buffer,
  version: number,
): Invoke<ZkStat> {
  return (done) =>
    client.setData(path, data, version, (err, stat) => done(err, err ? undefined : toZkStat(stat)));
}

/** remove at `version`. */
export function rawDelete(client: zookeeper.Client, path: string, version: number): Invoke<void> {
  return (done) => client.remove(path, version, (err) => done(err));
}

/**
 * exists, optionally arming a watch: the library arms a data watch when the node exists (fires
 * on change and delete) and an existence watch when it does not (fires on create).
 */
export function rawExists(
  client: zookeeper.Client,
  router: WatchRouter,
  path: string,
  watcher?: ZkWatcher,
): Invoke<ZkStat | null> {
  return (done) => {
    const cb = (err: unknown, stat: zookeeper.Stat | undefined): void => {
      const value = err || !stat ? null : toZkStat(stat);
      if (done(err, value) && !err && watcher) router.add('exist', path, watcher);
    };
    if (watcher) client.exists(path, router.dispatcher('exist', path), cb);
    else client.exists(path, cb);
  };
}

/** getChildren (sorted names) with the parent's stat, optionally arming a child watch. */
export function rawChildren(
  client: zookeeper.Client,
  router: WatchRouter,
  path: string,
  watcher?: ZkWatcher,
): Invoke<ZkChildren> {
  return (done) => {
    const cb = (err: unknown, children: string[] | undefined, stat: zookeeper.Stat): void => {
      const value = err ? undefined : { children: [...(children ?? [])].sort(), stat: toZkStat(stat) };
      if (done(err, value) && !err && watcher) router.add('child', path, watcher);
    };
    if (watcher) client.getChildren(path, router.dispatcher('child', path), cb);
    else client.getChildren(path, cb);
  };
}

/** MULTI; the per-op results come back even when the transaction failed. */
export function rawMulti(
  client: zookeeper.Client,
  ops: readonly ZkTxOp[],
  aclFor: (path: string) => zookeeper.ACL[] | undefined = () => undefined,
): Invoke<readonly RawTxResult[]> {
  return (done) => {
    const tx = client.transaction();
    // node-zookeeper-client 1.1.3's Transaction turns version 0 into -1 ("any version":
    // `version = version || -1`), so a check, set or delete at version 0 would check nothing. The
    // ops it queued are patched back to the exact version asked for (the library is pinned).
    const queued = (tx as unknown as { ops: { version?: number }[] }).ops;
    for (const op of ops) {
      switch (op.op) {
        case 'create': {
          const acl = aclFor(op.path);
          if (acl === undefined) tx.create(op.path, op.data, CREATE_MODE_FLAGS[op.mode]);
          else tx.create(op.path, op.data, acl, CREATE_MODE_FLAGS[op.mode]);
          break;
        }
        case 'set':
          tx.setData(op.path, op.data, op.version);
          break;
        case 'delete':
          tx.remove(op.path, op.version);
          break;
        case 'check':
          tx.check(op.path, op.version);
          break;
      }
      if (op.op !== 'create') queued[queued.length - 1]!.version = op.version;
    }
    // A failed MULTI is reported as an error *and* results; we judge from the results.
    tx.commit((err, results: RawTxResult[] | undefined) => done(results ? null : err, results ?? []));
  };
}
