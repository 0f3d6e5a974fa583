import { Backoff, RESTART_POLICY, STABLE_RUN_MS, nextDelay, withJitter } from './backoff';

const policy = { baseMs: 1000, maxMs: 30_000, resetAfterMs: STABLE_RUN_MS };

test('grows from the base by doubling up to the cap', () => {
  const backoff = new Backoff(policy);
  expect([1, 2, 3, 4, 5, 6, 7].map(() => backoff.next(10))).toEqual([
    1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
  ]);
  expect(backoff.failures).toBe(7);
});

test('starts over after a stable run, counting that crash as the first', () => {
  const backoff = new Backoff(policy);
  backoff.next(10);
  backoff.next(10);
  expect(backoff.next(STABLE_RUN_MS)).toBe(1000);
  expect(backoff.failures).toBe(1);
  expect(backoff.next(10)).toBe(2000);
});

test('never resets without a reset period or a run length', () => {
  const backoff = new Backoff({ baseMs: 10, maxMs: 100 });
  backoff.next(1e9);
  expect(backoff.next()).toBe(20);
  backoff.reset();
  expect(backoff.next()).toBe(10);
});

test('jitter takes up to its fraction off, never adds', () => {
  expect(withJitter(1000, 0.2, () => 0)).toBe(1000);
  expect(withJitter(1000, 0.2, () => 0.5)).toBe(900);
  expect(withJitter(1000, 0.2, () => 0.999_999)).toBe(800);
  expect(withJitter(1000, 5, () => 0.5)).toBe(500);
  const backoff = new Backoff(RESTART_POLICY, () => 0.5);
  expect(backoff.next(0)).toBe(900);
  // The nominal delay keeps doubling; jitter does not compound.
  expect(backoff.next(0)).toBe(1800);
});

test('nextDelay is the base first, then doubles to the cap', () => {
  expect(nextDelay(policy, 0)).toBe(1000);
  expect(nextDelay(policy, 1000)).toBe(2000);
  expect(nextDelay(policy, 20_000)).toBe(30_000);
});
