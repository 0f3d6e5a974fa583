/** Reading ZooKeeper errors the store cares about: missing nodes and failed transaction ops. */
import { WharfError, isWharfError, type WharfErrorCode } from '@wharf/model';

/** True when `op` fails with NODE_EXISTS (used for create-if-missing). */
export async function ignoreExists(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
  }
}

/** The operation that made a transaction fail: its path and the code it would have raised. */
export interface FailedOp {
  path: string;
  code: WharfErrorCode | undefined;
}

/** The failed op of a WHARF_ZK_TRANSACTION_FAILED error, or undefined for any other error. */
export function failedOp(err: unknown): FailedOp | undefined {
  if (!isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED')) return undefined;
  const details = err.details as {
    failedIndex?: number;
    results?: Array<{ path: string; code?: WharfErrorCode }>;
  };
  const failed = details?.results?.[details.failedIndex ?? -1];
  return failed === undefined ? undefined : { path: failed.path, code: failed.code };
}

/** A stored document the api needs but cannot read: a server-side problem, not the client's. */
export function corrupt(path: string, cause: unknown): WharfError {
  return new WharfError('WHARF_INTERNAL', 'stored document is invalid', { cause, details: { path } });
}
