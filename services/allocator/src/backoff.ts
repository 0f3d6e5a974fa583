/** Restart back-off: exponential from a base to a cap, back to the base after a healthy spell. */
import { nextDelay } from '@wharf/supervise';
import { type BackoffPolicy } from './options';

/**
 * The delay before the next restart. `previousMs` is the last delay used (0 = none yet);
 * `healthySince` is when the instance last became healthy (undefined = never since its start).
 * The growth is @wharf/supervise's; the reset is judged here because the allocator counts a
 * healthy spell, not a run.
 */
export function nextBackoff(
  policy: BackoffPolicy,
  previousMs: number,
  healthySince: number | undefined,
  now: number,
): number {
  const stayedHealthy = healthySince !== undefined && now - healthySince >= policy.resetAfterMs;
  return nextDelay(policy, stayedHealthy ? 0 : previousMs);
}
