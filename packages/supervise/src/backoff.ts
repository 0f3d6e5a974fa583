/**
 * The one back-off of Wharf: exponential from `baseMs` to `maxMs`, back to the base after a run
 * of `resetAfterMs`, each wait shortened by up to `jitter` of itself so processes that failed
 * together (a ZooKeeper restart) do not retry in lockstep.
 */

/** How a back-off grows. */
export interface BackoffPolicy {
  /** First delay. */
  readonly baseMs: number;
  /** Longest delay. */
  readonly maxMs: number;
  /** A run at least this long counts as healthy: the next failure starts over. Omit: never. */
  readonly resetAfterMs?: number;
  /** Fraction (0–1) of each delay that is randomly taken off. Omit: 0 (exact delays). */
  readonly jitter?: number;
}

/** First restart delay of a supervised process: long enough that a crash loop does not spin a core. */
export const RESTART_BASE_DELAY_MS = 1000;
/** Longest restart delay: a process that keeps failing is still retried twice a minute. */
export const RESTART_MAX_DELAY_MS = 30_000;
/** A run this long counts as healthy, so the next crash starts the back-off over. */
export const STABLE_RUN_MS = 60_000;
/** Up to a fifth off each restart delay: enough to spread processes that crashed together. */
export const RESTART_JITTER = 0.2;

/** The restart policy of supervised processes (the runner's services, `wharf up`'s runners). */
export const RESTART_POLICY: BackoffPolicy = Object.freeze({
  baseMs: RESTART_BASE_DELAY_MS,
  maxMs: RESTART_MAX_DELAY_MS,
  resetAfterMs: STABLE_RUN_MS,
  jitter: RESTART_JITTER,
});

/** The nominal delay after `previousMs` (0 = none yet): the base, then doubling up to the cap. Pure. */
export function nextDelay(policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>, previousMs: number): number {
  if (previousMs <= 0) return policy.baseMs;
  return Math.min(previousMs * 2, policy.maxMs);
}

/** `delayMs` shortened by up to `jitter` of itself; `random` returns [0, 1). Pure given `random`. */
export function withJitter(delayMs: number, jitter: number, random: () => number = Math.random): number {
  const fraction = Math.min(1, Math.max(0, jitter));
  return Math.round(delayMs * (1 - fraction * random()));
}

/** Back-off bookkeeping of one retried thing. */
export class Backoff {
  private previousMs = 0;
  private failureCount = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Consecutive failures since the last reset. */
  get failures(): number {
    return this.failureCount;
  }

  /**
   * The wait after a failure that ended a run of `ranForMs` (omit when there was no run, as for a
   * failed request). A run of at least `resetAfterMs` resets the back-off first.
   */
  next(ranForMs?: number): number {
    const reset = this.policy.resetAfterMs;
    if (ranForMs !== undefined && reset !== undefined && ranForMs >= reset) this.reset();
    this.previousMs = nextDelay(this.policy, this.previousMs);
    this.failureCount++;
    return withJitter(this.previousMs, this.policy.jitter ?? 0, this.random);
  }

  /** Forgets past failures. */
  reset(): void {
    this.previousMs = 0;
    this.failureCount = 0;
  }
}
