import { isWharfError } from '@wharf/model';
import { NOOP_LOGGER } from '@wharf/runtime';
import { SteppingClock } from '@wharf/supervise';
import { RETRY_INITIAL_MS, RETRY_MAX_MS, RetryableError, retryUntil } from './retry';

describe('retryUntil', () => {
  it('retries retryable failures with exponential back-off until success', async () => {
    const clock = new SteppingClock();
    let calls = 0;
    const result = await retryUntil({ clock, logger: NOOP_LOGGER, deadline: 60_000, what: 'x' }, async () => {
      calls += 1;
      if (calls < 6) throw new RetryableError('unhealthy cluster');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(clock.slept).toEqual([RETRY_INITIAL_MS, 500, 1000, RETRY_MAX_MS, RETRY_MAX_MS]);
  });

  it('gives up with WHARF_TIMEOUT at the deadline, keeping the last reason', async () => {
    const clock = new SteppingClock();
    const err = await retryUntil(
      { clock, logger: NOOP_LOGGER, deadline: 3_000, what: 'member add' },
      async () => {
        throw new RetryableError('unhealthy cluster');
      },
    ).catch((e: unknown) => e);
    expect(isWharfError(err, 'WHARF_TIMEOUT')).toBe(true);
    expect((err as { details: { last: string } }).details.last).toBe('unhealthy cluster');
    expect(clock.now()).toBeLessThanOrEqual(3_000);
  });

  it('does not retry other errors', async () => {
    const clock = new SteppingClock();
    await expect(
      retryUntil({ clock, logger: NOOP_LOGGER, deadline: 60_000, what: 'x' }, async () => {
        throw new Error('permanent');
      }),
    ).rejects.toThrow('permanent');
    expect(clock.slept).toEqual([]);
  });
});
