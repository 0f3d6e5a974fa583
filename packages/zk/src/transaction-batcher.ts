import { RAW_TX_ERROR_TYPE, type RawTxResult, type ZkTxOp } from './transaction';

/**
 * Most writes one group carries. A group is one MULTI: one request through ZooKeeper's request
 * pipeline and one transaction-log entry whatever its size; more units per group save more, but a
 * failed group costs every unit in it a second round trip (see {@link TransactionBatcher}).
 */
export const MAX_GROUP_UNITS = 256;

/**
 * Most bytes (data, paths and a per-op allowance) one group carries: a quarter of ZooKeeper's
 * default `jute.maxbuffer` (1 MiB), which bounds a request and the reply it produces.
 */
export const MAX_GROUP_BYTES = 256 * 1024;

/**
 * How many times the units of one failed group are regrouped around a culprit (each time costs
 * them a round trip) before the rest go unit by unit: conflicts are rare, a run of them is not
 * worth chasing.
 */
export const MAX_REGROUPS = 3;

/** Serialisation overhead of one op in a MULTI (header, version, flags, ACL), rounded up. */
const OP_OVERHEAD_BYTES = 64;

/** Sends one MULTI and returns its per-op results (also when it failed). */
export type MultiExecutor = (ops: readonly ZkTxOp[]) => Promise<readonly RawTxResult[]>;

/** One caller's write: its ops, how to send it on its own, how to read its slice of a group's results. */
interface Unit {
  readonly ops: readonly ZkTxOp[];
  readonly bytes: number;
  readonly alone: () => Promise<unknown>;
  readonly settle: (results: readonly RawTxResult[]) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** Counters of what the batcher did (for benches and tests). */
export interface BatcherStats {
  /** Units submitted. */
  units: number;
  /** MULTIs sent carrying two units or more. */
  groups: number;
  /** Units sent on their own (alone in their turn, or re-sent after their group failed). */
  alone: number;
  /** Groups that failed (one unit's conflict) and were re-sent around the failed unit. */
  splits: number;
}

/**
 * Group commit: the writes (sets, creates, deletes, transactions) submitted during one turn of
 * the event loop go out together at its end as one MULTI, and each caller gets its own slice of
 * the results. A MULTI is all-or-nothing, so when an op of a group fails (a compare-and-set lost,
 * a node already there) the group is re-sent around the unit that failed, which goes alone: its
 * caller gets exactly the error its write would have had alone, and one unit's conflict never
 * fails another's write. A unit alone in its turn is sent as it is (no MULTI around it).
 *
 * Ordering: ZooKeeper applies one session's requests in order, and a group keeps its units in
 * submission order; but a read issued in the same turn as a write, before the write's promise
 * settled, goes out first. Callers that need to read their own write await it (all of Wharf's do).
 */
export class TransactionBatcher {
  private queue: Unit[] = [];
  private scheduled = false;
  readonly stats: BatcherStats = { units: 0, groups: 0, alone: 0, splits: 0 };

  constructor(private readonly multi: MultiExecutor) {}

  /**
   * Queues a write for this turn's group. `alone` sends it by itself (used when it is alone in
   * its turn or its group failed); `settle` turns its slice of a successful group's results into
   * what `alone` would have returned.
   */
  submit<T>(
    ops: readonly ZkTxOp[],
    alone: () => Promise<T>,
    settle: (results: readonly RawTxResult[]) => T,
  ): Promise<T> {
    this.stats.units++;
    return new Promise<T>((resolve, reject) => {
      const bytes = ops.reduce((n, op) => n + OP_OVERHEAD_BYTES + op.path.length + dataBytes(op), 0);
      this.queue.push({ ops, bytes, alone, settle, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends what was queued this turn, in groups within the limits. */
  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let group: Unit[] = [];
    let bytes = 0;
    for (const unit of queue) {
      if (group.length > 0 && (group.length >= MAX_GROUP_UNITS || bytes + unit.bytes > MAX_GROUP_BYTES)) {
        this.send(group);
        group = [];
        bytes = 0;
      }
      group.push(unit);
      bytes += unit.bytes;
    }
    if (group.length > 0) this.send(group);
  }

  private send(group: readonly Unit[], round = 0): void {
    const [first] = group;
    if (group.length === 1 && first) {
      this.sendAlone(first);
      return;
    }
    this.stats.groups++;
    this.multi(group.flatMap((u) => u.ops)).then(
      (results) => this.fanOut(group, results, round),
      (err: unknown) => {
        // No per-op results (connection lost, deadline): each write would have met the same.
        for (const unit of group) unit.reject(err);
      },
    );
  }

  /**
   * Settles every unit of a committed group; for a failed one, re-sends it in the same order
   * without a MULTI around its culprit: the units before it as one group (they would have
   * succeeded), the culprit alone (its caller gets its own error), the units after it as another
   * group (not evaluated yet). All three go out at once, so a conflict costs one round trip.
   */
  private fanOut(group: readonly Unit[], results: readonly RawTxResult[], round: number): void {
    const failedOp = results.findIndex((r) => r.type === RAW_TX_ERROR_TYPE && (r.err ?? 0) !== 0);
    const opCount = group.reduce((n, u) => n + u.ops.length, 0);
    if (failedOp < 0 && results.length >= opCount) {
      let at = 0;
      for (const unit of group) {
        const slice = results.slice(at, at + unit.ops.length);
        at += unit.ops.length;
        try {
          unit.resolve(unit.settle(slice));
        } catch (err) {
          unit.reject(err);
        }
      }
      return;
    }
    this.stats.splits++;
    const culprit = culpritOf(group, failedOp);
    if (culprit < 0 || round + 1 >= MAX_REGROUPS) {
      for (const unit of group) this.sendAlone(unit);
      return;
    }
    const before = group.slice(0, culprit);
    const after = group.slice(culprit + 1);
    if (before.length > 0) this.send(before, round + 1);
    this.sendAlone(group[culprit]!);
    if (after.length > 0) this.send(after, round + 1);
  }

  private sendAlone(unit: Unit): void {
    this.stats.alone++;
    unit.alone().then(unit.resolve, unit.reject);
  }
}

/** Index of the unit holding op `failedOp` of a group; -1 when unknown. */
function culpritOf(group: readonly Unit[], failedOp: number): number {
  if (failedOp < 0) return -1;
  let at = 0;
  for (const [i, unit] of group.entries()) {
    at += unit.ops.length;
    if (failedOp < at) return i;
  }
  return -1;
}

function dataBytes(op: ZkTxOp): number {
  return op.op === 'create' || op.op === 'set' ? op.data.length : 0;
}
