import { WharfError, type WharfErrorCode } from '@wharf/model';

/** ZooKeeper's numeric result codes (the wire protocol's `KeeperException.Code`). */
export const ZK_RESULT_CODES = Object.freeze({
  OK: 0,
  SYSTEM_ERROR: -1,
  RUNTIME_INCONSISTENCY: -2,
  DATA_INCONSISTENCY: -3,
  CONNECTION_LOSS: -4,
  MARSHALLING_ERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATION_TIMEOUT: -7,
  BAD_ARGUMENTS: -8,
  API_ERROR: -100,
  NO_NODE: -101,
  NO_AUTH: -102,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
  INVALID_CALLBACK: -113,
  INVALID_ACL: -114,
  AUTH_FAILED: -115,
});

const CODE_MAP: ReadonlyMap<number, WharfErrorCode> = new Map<number, WharfErrorCode>([
  [ZK_RESULT_CODES.NO_NODE, 'WHARF_ZK_NO_NODE'],
  [ZK_RESULT_CODES.NODE_EXISTS, 'WHARF_ZK_NODE_EXISTS'],
  [ZK_RESULT_CODES.BAD_VERSION, 'WHARF_ZK_BAD_VERSION'],
  [ZK_RESULT_CODES.NOT_EMPTY, 'WHARF_ZK_NOT_EMPTY'],
  [ZK_RESULT_CODES.CONNECTION_LOSS, 'WHARF_ZK_CONNECTION_LOSS'],
  [ZK_RESULT_CODES.OPERATION_TIMEOUT, 'WHARF_ZK_CONNECTION_LOSS'],
  [ZK_RESULT_CODES.SESSION_EXPIRED, 'WHARF_ZK_SESSION_EXPIRED'],
  [ZK_RESULT_CODES.NO_AUTH, 'WHARF_ZK_NO_AUTH'],
]);

const NAME_BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(ZK_RESULT_CODES).map(([name, code]) => [code, name]),
);

/** The Wharf code for a ZooKeeper result code; anything unexpected is WHARF_ZK_ERROR. */
export function wharfCodeForZkCode(zkCode: number): WharfErrorCode {
  return CODE_MAP.get(zkCode) ?? 'WHARF_ZK_ERROR';
}

/** ZooKeeper's name for a result code (`BAD_VERSION`), or `UNKNOWN(<n>)`. */
export function zkCodeName(zkCode: number): string {
  return NAME_BY_CODE.get(zkCode) ?? `UNKNOWN(${zkCode})`;
}

interface LibraryException {
  getCode(): number;
}

function isLibraryException(err: unknown): err is LibraryException {
  return typeof err === 'object' && err !== null && typeof (err as LibraryException).getCode === 'function';
}

/** The ZooKeeper result code carried by a library error, or undefined for other errors. */
export function zkCodeOf(err: unknown): number | undefined {
  return isLibraryException(err) ? err.getCode() : undefined;
}

/**
 * Converts anything the client library throws or passes to a callback into a WharfError with a
 * stable code; `op` and `path` go to `details`. WharfErrors pass through unchanged.
 */
export function toWharfError(err: unknown, op: string, path?: string): WharfError {
  if (err instanceof WharfError) return err;
  const zkCode = zkCodeOf(err);
  if (zkCode === undefined) {
    return new WharfError('WHARF_ZK_ERROR', `zookeeper ${op} failed`, { cause: err, details: { op, path } });
  }
  const zk = zkCodeName(zkCode);
  return new WharfError(wharfCodeForZkCode(zkCode), `zookeeper ${op} failed: ${zk}`, {
    cause: err,
    details: { op, path, zk },
  });
}

/** The error for an operation attempted on a closed session. */
export function closedError(op: string, path?: string): WharfError {
  return new WharfError('WHARF_ZK_CLOSED', 'zookeeper session is closed', { details: { op, path } });
}

/**
 * The error for an operation that got no answer in time, or found no connection. `transportError`
 * is the last socket error code (a refused TLS handshake shows up only there).
 */
export function connectionLossError(
  op: string,
  path: string | undefined,
  reason: string,
  transportError: string | null = null,
): WharfError {
  const message = `zookeeper ${op} failed: ${reason}`;
  return new WharfError(
    'WHARF_ZK_CONNECTION_LOSS',
    transportError === null ? message : `${message} (last transport error: ${transportError})`,
    {
      details: {
        op,
        path,
        zk: 'CONNECTION_LOSS',
        reason,
        ...(transportError === null ? {} : { transportError }),
      },
    },
  );
}

/** Re-creates a WHARF_ZK_CONNECTION_LOSS error with `transportError` added; other errors pass through. */
export function withTransportError(err: unknown, transportError: string | null): unknown {
  if (transportError === null || !(err instanceof WharfError) || err.code !== 'WHARF_ZK_CONNECTION_LOSS')
    return err;
  const details = err.details as { op: string; path?: string; reason: string };
  return connectionLossError(details.op, details.path, details.reason, transportError);
}
