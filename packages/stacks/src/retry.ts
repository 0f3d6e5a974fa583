/** Retrying with exponential back-off inside a deadline, on an injected clock. */
import { WharfError } from '@wharf/model';
import { type RuntimeClock, type RuntimeLogger } from '@wharf/runtime';
import { nextDelay } from '@wharf/supervise';

/** First pause between attempts: etcd's "unhealthy cluster" clears within seconds, so start small. */
export const RETRY_INITIAL_MS = 250;
/** Longest pause: keeps a join responsive once the cluster becomes healthy. */
export const RETRY_MAX_MS = 2_000;

const RETRY_POLICY = Object.freeze({ baseMs: RETRY_INITIAL_MS, maxMs: RETRY_MAX_MS });

/** What an attempt reports when it wants another try. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
}

/** Options of {@link retryUntil}. */
export interface RetryOptions {
  clock: RuntimeClock;
  logger: RuntimeLogger;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
  /** Named in logs and in the timeout error. */
  what: string;
}

/**
 * Runs `attempt` until it resolves, throws something other than {@link RetryableError}, or the
 * deadline passes (then `WHARF_TIMEOUT` with the last retryable error as cause). The attempt gets
 * the time left, to bound its own requests.
 */
export async function retryUntil<T>(
  options: RetryOptions,
  attempt: (remainingMs: number) => Promise<T>,
): Promise<T> {
  const { clock, logger, deadline, what } = options;
  let pause = RETRY_INITIAL_MS;
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt(Math.max(1, deadline - clock.now()));
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      if (clock.now() + pause >= deadline) {
        throw new WharfError('WHARF_TIMEOUT', `${what} did not succeed in time`, {
          details: { what, tries, last: err.message },
          cause: err,
        });
      }
      logger.debug('stack operation will be retried', { what, tries, reason: err.message, pauseMs: pause });
      await clock.sleep(pause);
      pause = nextDelay(RETRY_POLICY, pause);
    }
  }
}
