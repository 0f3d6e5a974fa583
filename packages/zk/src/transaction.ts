import { WharfError, type WharfErrorCode } from '@wharf/model';
import { type Stat as RawStat } from 'node-zookeeper-client';
import { assertDataSize, encodeJson, toBuffer } from './data';
import { wharfCodeForZkCode, ZK_RESULT_CODES, zkCodeName } from './errors';
import { assertZkPath } from './paths';
import { toZkStat } from './stat';
import { type ZkCreateMode, type ZkData, type ZkStat } from './types';

/** One recorded operation of a {@link ZkTransaction}. */
export type ZkTxOp =
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer; readonly mode: ZkCreateMode }
  | { readonly op: 'set'; readonly path: string; readonly data: Buffer; readonly version: number }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

/** The result of one operation of a committed transaction. */
export type ZkOpResult =
  | { readonly op: 'create'; readonly path: string; readonly createdPath: string }
  | { readonly op: 'set'; readonly path: string; readonly stat: ZkStat }
  | { readonly op: 'delete'; readonly path: string }
  | { readonly op: 'check'; readonly path: string };

/**
 * Per-operation outcome of a failed transaction (in `err.details.results`):
 * `rolledBack` would have succeeded, `failed` is the culprit, `skipped` was never evaluated.
 */
export interface ZkOpFailure {
  readonly op: ZkTxOp['op'];
  readonly path: string;
  readonly status: 'rolledBack' | 'failed' | 'skipped';
  /** ZooKeeper's name for the result (`OK`, `BAD_VERSION`, `RUNTIME_INCONSISTENCY`, …). */
  readonly zk: string;
  /** The Wharf code the failing operation would have raised alone. */
  readonly code?: WharfErrorCode;
}

/** `details` of a WHARF_ZK_TRANSACTION_FAILED error. */
export interface ZkTransactionFailureDetails {
  readonly failedIndex: number;
  readonly results: readonly ZkOpFailure[];
}

/** A raw per-op result as node-zookeeper-client returns it. */
export interface RawTxResult {
  readonly type: number;
  readonly err?: number;
  readonly path?: string;
  readonly stat?: RawStat;
}

/** The library's op code for an error entry in a MULTI response. */
export const RAW_TX_ERROR_TYPE = -1;

/** Sends recorded ops to the server; supplied by the session. */
export type ZkTxExecutor = (ops: readonly ZkTxOp[]) => Promise<readonly RawTxResult[]>;

/**
 * A MULTI builder: operations are recorded, then `commit()` applies all of them or none.
 * On failure it throws WHARF_ZK_TRANSACTION_FAILED with {@link ZkTransactionFailureDetails}.
 */
export class ZkTransaction {
  private readonly ops: ZkTxOp[] = [];
  private committed = false;

  constructor(
    private readonly execute: ZkTxExecutor,
    private readonly maxDataBytes: number,
  ) {}

  /** Adds a create. */
  create(path: string, data?: ZkData, mode: ZkCreateMode = 'persistent'): this {
    return this.push({ op: 'create', path, data: toBuffer(data), mode });
  }

  /** Adds a create of a JSON document. */
  createJson(path: string, value: unknown, mode: ZkCreateMode = 'persistent'): this {
    return this.push({ op: 'create', path, data: encodeJson(value), mode });
  }

  /** Adds a conditional data write (`version` -1 = unconditional). */
  set(path: string, data: ZkData, version: number): this {
    return this.push({ op: 'set', path, data: toBuffer(data), version });
  }

  /** Adds a conditional write of a JSON document. */
  setJson(path: string, value: unknown, version: number): this {
    return this.push({ op: 'set', path, data: encodeJson(value), version });
  }

  /** Adds a delete (`version` -1 = any). */
  delete(path: string, version = -1): this {
    return this.push({ op: 'delete', path, version });
  }

  /** Adds a version check: the transaction fails unless `path` is at `version`. */
  check(path: string, version: number): this {
    return this.push({ op: 'check', path, version });
  }

  /** The operations recorded so far. */
  get operations(): readonly ZkTxOp[] {
    return this.ops;
  }

  /** Applies every operation atomically. A transaction commits at most once. */
  async commit(): Promise<ZkOpResult[]> {
    if (this.committed) {
      throw new WharfError('WHARF_ZK_ERROR', 'transaction already committed');
    }
    this.committed = true;
    if (this.ops.length === 0) return [];
    const total = this.ops.reduce((n, op) => n + ('data' in op ? op.data.length : 0), 0);
    assertDataSize(this.ops[0]?.path ?? '/', total, this.maxDataBytes);
    const raw = await this.execute(this.ops);
    return interpretTxResults(this.ops, raw);
  }

  private push(op: ZkTxOp): this {
    if (this.committed) throw new WharfError('WHARF_ZK_ERROR', 'transaction already committed');
    assertZkPath(op.path);
    this.ops.push(op);
    return this;
  }
}

/** Maps a MULTI response onto results, or throws WHARF_ZK_TRANSACTION_FAILED. Pure. */
export function interpretTxResults(ops: readonly ZkTxOp[], raw: readonly RawTxResult[]): ZkOpResult[] {
  const failedIndex = raw.findIndex(
    (r) => r.type === RAW_TX_ERROR_TYPE && (r.err ?? 0) !== ZK_RESULT_CODES.OK,
  );
  if (failedIndex >= 0) throw transactionFailed(ops, raw, failedIndex);
  return ops.map((op, i): ZkOpResult => {
    const r = raw[i];
    switch (op.op) {
      case 'create':
        return { op: 'create', path: op.path, createdPath: r?.path ?? op.path };
      case 'set':
        if (r?.stat === undefined) throw new WharfError('WHARF_ZK_ERROR', 'transaction result missing stat');
        return { op: 'set', path: op.path, stat: toZkStat(r.stat) };
      default:
        return { op: op.op, path: op.path };
    }
  });
}

function transactionFailed(
  ops: readonly ZkTxOp[],
  raw: readonly RawTxResult[],
  failedIndex: number,
): WharfError {
  const results = ops.map((op, i): ZkOpFailure => {
    const err = raw[i]?.err ?? ZK_RESULT_CODES.RUNTIME_INCONSISTENCY;
    if (i === failedIndex) {
      return {
        op: op.op,
        path: op.path,
        status: 'failed',
        zk: zkCodeName(err),
        code: wharfCodeForZkCode(err),
      };
    }
    return {
      op: op.op,
      path: op.path,
      status: err === ZK_RESULT_CODES.OK ? 'rolledBack' : 'skipped',
      zk: zkCodeName(err),
    };
  });
  const failed = results[failedIndex];
  const details: ZkTransactionFailureDetails = { failedIndex, results };
  return new WharfError(
    'WHARF_ZK_TRANSACTION_FAILED',
    `zookeeper transaction failed: ${failed?.zk ?? 'unknown'}`,
    {
      details,
    },
  );
}
