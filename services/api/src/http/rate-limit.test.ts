import { MAX_BUCKETS, TokenBuckets } from './rate-limit';

describe('TokenBuckets', () => {
  let now: number;
  const clock = { now: () => now };

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a burst, then the sustained rate, and says when to retry', () => {
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, clock);
    for (let i = 0; i < 3; i++) expect(buckets.take('k').allowed).toBe(true);
    expect(buckets.take('k')).toEqual({ allowed: false, retryAfterMs: 500 });
    now += 250;
    expect(buckets.take('k')).toEqual({ allowed: false, retryAfterMs: 250 });
    now += 250;
    expect(buckets.take('k').allowed).toBe(true);
    expect(buckets.take('k').allowed).toBe(false);
    now += 10_000;
    for (let i = 0; i < 3; i++) expect(buckets.take('k').allowed).toBe(true);
    expect(buckets.take('k').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, clock);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('at its bound, drops buckets that are full again but keeps a drained one', () => {
    const buckets = new TokenBuckets({ perSecond: 0.001, burst: 1 }, clock);
    for (let i = 0; i < MAX_BUCKETS - 1; i++) buckets.take(`k${i}`);
    buckets.take('drained');
    now += 1_000_001; // every bucket is full again
    expect(buckets.take('drained').allowed).toBe(true);
    expect(buckets.take('newcomer').allowed).toBe(true); // evicts the full ones
    expect(buckets.take('drained').allowed).toBe(false);
  });
});
