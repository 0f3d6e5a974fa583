/**
 * The leader's ZooKeeper port, reporting every write and fresh read of a deployment's
 * `plan/attempt` node. Why one wrapper: the scheduler does not watch attempt nodes while leading
 * (the leader is their only writer; see scheduler.ts), so its view of an attempt is exactly what
 * it last wrote or read. A write path that forgot to report would leave that view behind until a
 * reload; reporting here, below every caller, makes forgetting impossible.
 */
import { slotOf } from './deployments-index';
import { type CreateMode, type TransactionPort, type ZkPort } from './zk-port';

/** Told an attempt node's path, bytes and version as ZooKeeper now holds them. */
export type AttemptReport = (path: string, data: Buffer, version: number) => void;

/** Whether `path` is `/deployments/<d>/plan/attempt`. */
export function isAttemptPath(path: string): boolean {
  return slotOf(path)?.slot === 'attempt';
}

const bytes = (data: Buffer | string | undefined): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data ?? '');

/**
 * `zk` with attempt nodes reported to `report`: a `get` with what it read, a `create` at version
 * 0, a versioned `set` with the version it returned, and a transaction's attempt operations once
 * it committed (a conditional set at version v leaves v + 1). ZooKeeper answers one session's
 * requests in order, so the reports come in the order the server applied them.
 */
export function reportingAttempts(zk: ZkPort, report: AttemptReport): ZkPort {
  return {
    get: async (path) => {
      const node = await zk.get(path);
      if (isAttemptPath(path)) report(path, node.data, node.stat.version);
      return node;
    },
    exists: (path) => zk.exists(path),
    children: (path) => zk.children(path),
    create: async (path, data, mode) => {
      const created = await zk.create(path, data, mode);
      if (isAttemptPath(path)) report(path, bytes(data), 0);
      return created;
    },
    set: async (path, data, version) => {
      const stat = await zk.set(path, data, version);
      if (isAttemptPath(path)) report(path, bytes(data), stat.version);
      return stat;
    },
    delete: (path, version) => zk.delete(path, version),
    mkdirp: (path) => zk.mkdirp(path),
    deleteRecursive: (path) => zk.deleteRecursive(path),
    transaction: () => reportingTransaction(zk.transaction(), report),
  };
}

function reportingTransaction(tx: TransactionPort, report: AttemptReport): TransactionPort {
  const written: { path: string; data: Buffer; version: number }[] = [];
  const wrapper: TransactionPort = {
    create(path: string, data?: Buffer | string, mode?: CreateMode) {
      tx.create(path, data, mode);
      if (isAttemptPath(path)) written.push({ path, data: bytes(data), version: 0 });
      return this;
    },
    set(path: string, data: Buffer | string, version: number) {
      tx.set(path, data, version);
      // An unconditional set (-1) leaves a version the builder cannot know: not reported.
      if (isAttemptPath(path) && version >= 0)
        written.push({ path, data: bytes(data), version: version + 1 });
      return this;
    },
    delete(path: string, version?: number) {
      tx.delete(path, version);
      return this;
    },
    check(path: string, version: number) {
      tx.check(path, version);
      return this;
    },
    async commit() {
      const results = await tx.commit();
      for (const w of written) report(w.path, w.data, w.version);
      return results;
    },
  };
  return wrapper;
}
