import { nextBackoff } from './backoff';
import { applyProbe, recordExit, recordFailure } from './instance-record';
import { runningRecord, specFixture } from '../test/fixtures';

const policy = { baseMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };
const exit = { code: null, signal: 'SIGKILL', at: 1000 };

describe('nextBackoff', () => {
  it('starts at the base, doubles, and caps at the max', () => {
    let delay = 0;
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) seen.push((delay = nextBackoff(policy, delay, undefined, 0)));
    expect(seen).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('goes back to the base after a long enough healthy spell', () => {
    expect(nextBackoff(policy, 16_000, 0, 59_999)).toBe(30_000);
    expect(nextBackoff(policy, 16_000, 0, 60_000)).toBe(500);
  });
});

describe('recordExit', () => {
  const record = runningRecord(specFixture(), { healthySince: 900 });

  it('turns a crash of the current container into a scheduled restart', () => {
    const next = recordExit(record, 'c1', exit, policy, 1000);
    expect(next).toMatchObject({
      phase: 'restarting',
      healthy: false,
      backoffMs: 500,
      retryAt: 1500,
      lastExit: exit,
    });
    expect(next.healthySince).toBeUndefined();
  });

  it('doubles the delay on a crash loop', () => {
    const looping = { ...record, backoffMs: 4000, healthySince: 999 };
    expect(recordExit(looping, 'c1', exit, policy, 1000)).toMatchObject({ backoffMs: 8000, retryAt: 9000 });
  });

  it('ignores exits of other containers and of instances being stopped', () => {
    expect(recordExit(record, 'other', exit, policy, 1000)).toBe(record);
    const stopping = { ...record, phase: 'stopping' as const };
    expect(recordExit(stopping, 'c1', exit, policy, 1000)).toBe(stopping);
  });
});

describe('recordFailure', () => {
  it('marks the instance failed with a retry time and the reason', () => {
    const next = recordFailure(runningRecord(specFixture(), { phase: 'starting' }), 'boom', policy, 10);
    expect(next).toMatchObject({ phase: 'failed', message: 'boom', retryAt: 510 });
  });
});

describe('applyProbe', () => {
  const starting = runningRecord(specFixture(), { phase: 'starting', healthy: false });

  it('makes a starting instance running and healthy on the first pass', () => {
    expect(applyProbe(starting, true, 3, 50)).toMatchObject({
      phase: 'running',
      healthy: true,
      healthySince: 50,
    });
  });

  it('keeps a starting instance starting while probes fail', () => {
    expect(applyProbe(starting, false, 3, 50)).toMatchObject({
      phase: 'starting',
      healthy: false,
      failures: 1,
    });
  });

  it('flips a running instance unhealthy only after consecutive failures', () => {
    let record = runningRecord(specFixture(), { healthySince: 0 });
    record = applyProbe(record, false, 3, 1);
    record = applyProbe(record, false, 3, 2);
    expect(record.healthy).toBe(true);
    record = applyProbe(record, false, 3, 3);
    expect(record).toMatchObject({ healthy: false, failures: 3 });
    record = applyProbe(record, true, 3, 4);
    expect(record).toMatchObject({ healthy: true, failures: 0, healthySince: 4 });
  });

  it('a pass resets the failure count without restarting the healthy spell', () => {
    let record = runningRecord(specFixture(), { healthySince: 7 });
    record = applyProbe(record, false, 3, 8);
    record = applyProbe(record, true, 3, 9);
    expect(record).toMatchObject({ failures: 0, healthySince: 7 });
  });
});
