/**
 * The stall watchdog's pure core. node-zookeeper-client pings but never times a read out, so a
 * frozen or black-holed server goes unnoticed until TCP gives up (minutes). We time our own probes.
 */

/** Fraction of the session timeout of silence after which the connection counts as suspended (Java client's read timeout). */
export const SUSPEND_AFTER_FRACTION = 2 / 3;

/** Fraction of the session timeout between probes: the library's own ping interval. */
export const PROBE_EVERY_FRACTION = 1 / 3;

/** Watchdog ticks per session timeout: fine enough to detect a stall within ~10% of the deadline. */
export const WATCHDOG_TICKS_PER_TIMEOUT = 10;

/** Floor for the watchdog tick so tiny test timeouts do not spin the event loop. */
export const MIN_WATCHDOG_TICK_MS = 25;

/** What the watchdog should do now. */
export type LivenessVerdict = 'ok' | 'probe' | 'suspend' | 'lose';

/** Inputs of {@link judgeLiveness}. */
export interface LivenessInput {
  readonly now: number;
  /** Last time the server answered anything (or the connection was established). */
  readonly lastHeardAt: number;
  /** Negotiated session timeout. */
  readonly sessionTimeoutMs: number;
  readonly connected: boolean;
  readonly probeInFlight: boolean;
}

/**
 * Silence ≥ timeout → `lose` (the server has expired the session by now, Curator's LOST);
 * connected and silence ≥ 2/3 timeout → `suspend`; connected, idle ≥ 1/3 timeout and no probe
 * out → `probe`; else `ok`.
 */
export function judgeLiveness(input: LivenessInput): LivenessVerdict {
  const silence = input.now - input.lastHeardAt;
  if (silence >= input.sessionTimeoutMs) return 'lose';
  if (!input.connected) return 'ok';
  if (silence >= input.sessionTimeoutMs * SUSPEND_AFTER_FRACTION) return 'suspend';
  if (!input.probeInFlight && silence >= input.sessionTimeoutMs * PROBE_EVERY_FRACTION) return 'probe';
  return 'ok';
}

/** The watchdog's tick period for a session timeout. */
export function watchdogTickMs(sessionTimeoutMs: number): number {
  return Math.max(MIN_WATCHDOG_TICK_MS, Math.floor(sessionTimeoutMs / WATCHDOG_TICKS_PER_TIMEOUT));
}
