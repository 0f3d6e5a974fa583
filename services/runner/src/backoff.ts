/**
 * Restart back-off for supervised services: exponential from {@link RESTART_BASE_DELAY_MS} up to
 * {@link RESTART_MAX_DELAY_MS}, forgotten once a service has stayed up for {@link STABLE_RUN_MS}.
 */

/** First restart delay: long enough that a crash loop does not spin a core. */
export const RESTART_BASE_DELAY_MS = 1000;
/** Longest delay: a service that keeps failing is still retried twice a minute. */
export const RESTART_MAX_DELAY_MS = 30_000;
/** A run this long counts as healthy, so the next crash starts the back-off over. */
export const STABLE_RUN_MS = 60_000;

/** Restart bookkeeping of one service. */
export interface BackoffState {
  /** Consecutive crashes, each after a run shorter than {@link STABLE_RUN_MS}. */
  readonly failures: number;
}

/** The state after a crash that ended a run of `ranForMs`, and the delay before the restart. Pure. */
export function nextRestart(state: BackoffState, ranForMs: number): { state: BackoffState; delayMs: number } {
  const failures = ranForMs >= STABLE_RUN_MS ? 1 : state.failures + 1;
  const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_BASE_DELAY_MS * 2 ** (failures - 1));
  return { state: { failures }, delayMs };
}
