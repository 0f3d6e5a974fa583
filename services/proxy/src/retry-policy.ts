/**
 * When a failed upstream attempt may be sent to another instance, and when the instance that
 * failed is marked down. Pure.
 *
 * - **Not connected** (refused, unreachable, connect timeout): the instance never saw a byte of
 *   the request, so any method may be retried, a POST included.
 * - **Reset** (`ECONNRESET`, `EPIPE`) before any response byte: the instance may have started on
 *   it, so only idempotent methods (RFC 9110 §9.2.2) are retried.
 * - Anything else, a timeout, or a failure after the response began: never retried.
 *
 * A request with a body is retried only when the body could be kept for replay
 * (`request-body.ts`). Both kinds of failure mark the instance down for every worker at once; an
 * active health check (`health-checker.ts`), never a client request, brings it back.
 */

/**
 * Attempts per client request: the first instance and up to two others. Two failures in a row are
 * a member dying plus a stale keep-alive connection to a second one; a third would be searching a
 * deployment that is down, and the client deserves its 502 without more delay.
 */
export const MAX_ATTEMPTS = 3;

/** Methods that are safe to send twice (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** The request never reached the instance. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'WHARF_CONNECT_TIMEOUT']);
/** The connection broke before a response: the instance may have received the request. */
const RESET = new Set(['ECONNRESET', 'EPIPE']);

/** How an attempt failed, as far as retrying is concerned. */
export type FailureKind = 'not_connected' | 'reset' | 'other';

/** What the forwarder knows when an attempt fails. */
export interface FailedAttempt {
  /** The error code (`ECONNREFUSED`, `WHARF_CONNECT_TIMEOUT`, ...). */
  readonly code: string;
  readonly method: string;
  /** Attempts made so far, the failed one included. */
  readonly attempts: number;
  /** Some response byte had arrived before the failure. */
  readonly responded: boolean;
  /** The upstream inactivity timeout fired (not a connect timeout). */
  readonly timedOut: boolean;
  /** The request's body (if any) can be sent again. */
  readonly bodyReplayable: boolean;
}

/** The kind of failure an error code stands for. */
export function failureKind(code: string): FailureKind {
  if (NOT_CONNECTED.has(code)) return 'not_connected';
  if (RESET.has(code)) return 'reset';
  return 'other';
}

/** True when `method` may be sent twice. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method);
}

/** True when the instance of a failed attempt should be marked down. */
export function marksDown(failure: FailedAttempt): boolean {
  return !failure.responded && !failure.timedOut && failureKind(failure.code) !== 'other';
}

/** True when the request may be sent to another instance. */
export function mayRetry(failure: FailedAttempt): boolean {
  if (failure.attempts >= MAX_ATTEMPTS || !marksDown(failure) || !failure.bodyReplayable) return false;
  return failureKind(failure.code) === 'not_connected' || isIdempotent(failure.method);
}
