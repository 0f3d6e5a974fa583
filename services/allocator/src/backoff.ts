/** Restart back-off: exponential from a base to a cap, back to the base after a healthy spell. */
import { type BackoffPolicy } from './options';

/**
 * The delay before the next restart. `previousMs` is the last delay used (0 = none yet);
 * `healthySince` is when the instance last became healthy (undefined = never since its start).
 */
export function nextBackoff(
  policy: BackoffPolicy,
  previousMs: number,
  healthySince: number | undefined,
  now: number,
): number {
  const stayedHealthy = healthySince !== undefined && now - healthySince >= policy.resetAfterMs;
  if (previousMs <= 0 || stayedHealthy) return policy.baseMs;
  return Math.min(previousMs * 2, policy.maxMs);
}
