/**
 * The one coded error of Wharf. Callers branch on `code`, never on `message`; the API maps
 * codes to HTTP statuses in one error middleware (`{ error: { code, message, details } }`).
 */

/** Every stable error code, with the HTTP status the API answers it with. */
export const ERROR_CODES = {
  WHARF_VALIDATION: 400,
  WHARF_BAD_REQUEST: 400,
  WHARF_INVALID_ID: 400,
  WHARF_PLAN_INVALID: 400,
  WHARF_STRATEGY_UNSUPPORTED: 400,
  WHARF_UNAUTHORIZED: 401,
  WHARF_FORBIDDEN: 403,
  WHARF_NOT_FOUND: 404,
  WHARF_METHOD_NOT_ALLOWED: 405,
  WHARF_CONFLICT: 409,
  WHARF_VERSION_CONFLICT: 409,
  /** A destructive change would stop something in use (guarded unless `?force=true`). */
  WHARF_IN_USE: 409,
  WHARF_PAYLOAD_TOO_LARGE: 413,
  /** A snapshot file fails its SHA-256 trailer or cannot be read as the stack's data. */
  WHARF_SNAPSHOT_CORRUPT: 422,
  /** The deployment's stack has no snapshots, or no snapshot repository is configured. */
  WHARF_SNAPSHOT_UNSUPPORTED: 409,
  WHARF_RATE_LIMITED: 429,
  WHARF_NO_CAPACITY: 409,
  /** An organization's quota would be exceeded (`details` names the quota). */
  WHARF_QUOTA_EXCEEDED: 409,
  WHARF_TIMEOUT: 504,
  WHARF_ZK_NO_NODE: 404,
  WHARF_ZK_NODE_EXISTS: 409,
  WHARF_ZK_BAD_VERSION: 409,
  WHARF_ZK_NOT_EMPTY: 409,
  WHARF_ZK_CONNECTION_LOSS: 503,
  WHARF_ZK_SESSION_EXPIRED: 503,
  WHARF_ZK_CLOSED: 503,
  WHARF_ZK_TRANSACTION_FAILED: 409,
  WHARF_ZK_NO_AUTH: 403,
  WHARF_ZK_ERROR: 500,
  WHARF_RUNTIME_ERROR: 500,
  WHARF_RUNTIME_NOT_FOUND: 404,
  WHARF_STACK_ERROR: 502,
  WHARF_PKI_INVALID: 400,
  WHARF_PKI_UNTRUSTED: 403,
  WHARF_PKI_KEY_ERROR: 500,
  WHARF_UNAVAILABLE: 503,
  /** The deployment exists but was shut down (`_shutdown`): the proxy routes it nowhere until `_start`. */
  WHARF_DEPLOYMENT_SHUT_DOWN: 503,
  /** An in-place restore (`_restore`) is replacing the deployment's data: the proxy answers this until it is done. */
  WHARF_DEPLOYMENT_RESTORING: 503,
  WHARF_INTERNAL: 500,
} as const;

/** A stable error code. */
export type WharfErrorCode = keyof typeof ERROR_CODES;

/** Options for {@link WharfError}. */
export interface WharfErrorOptions {
  /** Machine-readable context (validation paths, ids); returned to API clients as `details`. */
  details?: unknown;
  /** The underlying error. */
  cause?: unknown;
  /** Overrides the code's default HTTP status. */
  status?: number;
}

/** The error every Wharf package throws for an expected failure. */
export class WharfError extends Error {
  override readonly name = 'WharfError';
  readonly code: WharfErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: WharfErrorCode, message: string, options: WharfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code];
    this.details = options.details;
  }
}

/** True when `err` is a {@link WharfError}, optionally with one of `codes`. */
export function isWharfError(err: unknown, ...codes: WharfErrorCode[]): err is WharfError {
  return err instanceof WharfError && (codes.length === 0 || codes.includes(err.code));
}
