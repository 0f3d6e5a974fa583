import { type DeliveryCursor } from '@wharf/model';
import {
  DEFAULT_DELIVERY_POLICY,
  afterFailure,
  afterSuccess,
  nextDelivery,
  retryDelayMs,
  type DeliveryPolicy,
} from './delivery-plan';

const cursor = (over: Partial<DeliveryCursor> = {}): DeliveryCursor => ({
  schema_version: 1,
  target_id: 'ops',
  through_seq: 4,
  failures: 0,
  updated: '2026-01-01T00:00:00.000Z',
  ...over,
});
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('delivery back-off', () => {
  it('doubles from the base to the cap (the project back-off)', () => {
    const schedule = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(DEFAULT_DELIVERY_POLICY, n));
    expect(schedule).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000]);
  });
});

describe('nextDelivery', () => {
  const events = [
    { seq: 3, type: 'plan-failed' as const },
    { seq: 5, type: 'quota-reached' as const },
    { seq: 6, type: 'allocator-lost' as const },
  ];

  it('delivers the first event after the cursor, in order', () => {
    expect(nextDelivery(cursor(), events, {}, NOW)).toEqual({ kind: 'deliver', seq: 5 });
    expect(nextDelivery(cursor({ through_seq: 6 }), events, {}, NOW)).toEqual({ kind: 'idle' });
  });

  it('skips events the target does not want, and moves past them when nothing else is due', () => {
    expect(nextDelivery(cursor(), events, { events: ['allocator-lost'] }, NOW)).toEqual({
      kind: 'deliver',
      seq: 6,
    });
    expect(nextDelivery(cursor(), events, { events: ['plan-failed'] }, NOW)).toEqual({
      kind: 'advance',
      throughSeq: 6,
    });
  });

  it('waits out the back-off of a failed head event, then tries again', () => {
    const failed = cursor({ failures: 2, retry_at: new Date(NOW + 1000).toISOString() });
    expect(nextDelivery(failed, events, {}, NOW)).toEqual({ kind: 'wait', untilMs: NOW + 1000 });
    expect(nextDelivery(failed, events, {}, NOW + 1000)).toEqual({ kind: 'deliver', seq: 5 });
  });
});

describe('cursor after an attempt', () => {
  const policy: DeliveryPolicy = { maxAttempts: 3, backoff: { baseMs: 100, maxMs: 1000 } };

  it('a success moves the cursor and forgets failures', () => {
    const next = afterSuccess(cursor({ failures: 2, last_error: 'HTTP 500' }), 5, NOW);
    expect(next).toMatchObject({ through_seq: 5, failures: 0 });
    expect(next.last_error).toBeUndefined();
  });

  it('a failure counts and schedules a retry; the last one dead-letters and moves on', () => {
    const first = afterFailure(cursor(), 5, 'ECONNREFUSED', NOW, policy);
    expect(first).toMatchObject({ deadLetter: false, attempts: 1 });
    expect(first.cursor).toMatchObject({ through_seq: 4, failures: 1, last_error: 'ECONNREFUSED' });
    expect(first.cursor.retry_at).toBe(new Date(NOW + 100).toISOString());
    const second = afterFailure(first.cursor, 5, 'HTTP 500', NOW, policy);
    expect(second.cursor.retry_at).toBe(new Date(NOW + 200).toISOString());
    const last = afterFailure(second.cursor, 5, 'HTTP 500', NOW, policy);
    expect(last).toMatchObject({ deadLetter: true, attempts: 3 });
    expect(last.cursor).toMatchObject({ through_seq: 5, failures: 0 });
  });
});
