/**
 * Webhook delivery, the pure part: given a target's cursor and the events in `/events`, what to
 * do next — nothing, skip events the target does not want, wait out a back-off, or deliver one
 * event — and the cursor after a success or a failure (or a dead letter after the last failure).
 *
 * ```
 *  cursor(through_seq, failures, retry_at) + events[seq,type] + now
 *        │ nextDelivery()
 *        ├─ idle            nothing after through_seq
 *        ├─ advance(seq)    only unwanted events after it: move the cursor past them
 *        ├─ wait(until)     head event failed recently: back-off
 *        └─ deliver(seq)    POST it → afterSuccess() | afterFailure() → cursor (+ dead letter)
 * ```
 * One event at a time per target, in order: a receiver sees events in the order they happened,
 * and a target that is down holds back only its own queue, never another target's.
 */
import { type DeliveryCursor, type EventType, type WebhookTarget, targetWants } from '@wharf/model';
import { nextDelay, type BackoffPolicy } from '@wharf/supervise';

/** How hard a target is tried. */
export interface DeliveryPolicy {
  /** Failed attempts at one event before it is dead-lettered. */
  maxAttempts: number;
  /** Waits between attempts (the project's back-off: doubling from base to cap). */
  backoff: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>;
}

/**
 * Eight attempts, 2 s doubling to 5 min: 2+4+8+16+32+64+128 s ≈ 4.5 min of retrying, enough to
 * ride out a receiver's restart or deploy, short enough that an operator hears of a dead
 * endpoint (the dead letter) within minutes rather than hours.
 */
export const DEFAULT_DELIVERY_POLICY: Readonly<DeliveryPolicy> = Object.freeze({
  maxAttempts: 8,
  backoff: Object.freeze({ baseMs: 2_000, maxMs: 300_000 }),
});

/** An event as the planner sees it. */
export interface QueuedEvent {
  seq: number;
  type: EventType;
}

/** What to do next for one target. */
export type DeliveryStep =
  | { kind: 'idle' }
  | { kind: 'advance'; throughSeq: number }
  | { kind: 'wait'; untilMs: number }
  | { kind: 'deliver'; seq: number };

/** The wait after the `failures`-th consecutive failure (1-based): base, then doubling to the cap. Pure. */
export function retryDelayMs(policy: DeliveryPolicy, failures: number): number {
  let delay = 0;
  for (let i = 0; i < Math.max(1, failures); i++) delay = nextDelay(policy.backoff, delay);
  return delay;
}

/** The next step for `target` at `cursor`; `events` sorted by seq. Pure. */
export function nextDelivery(
  cursor: DeliveryCursor,
  events: readonly QueuedEvent[],
  target: Pick<WebhookTarget, 'events'>,
  now: number,
): DeliveryStep {
  const after = events.filter((e) => e.seq > cursor.through_seq);
  if (after.length === 0) return { kind: 'idle' };
  const head = after.find((e) => targetWants(target, e.type));
  if (head === undefined) return { kind: 'advance', throughSeq: after[after.length - 1]!.seq };
  if (cursor.failures > 0 && cursor.retry_at !== undefined) {
    const until = Date.parse(cursor.retry_at);
    if (until > now) return { kind: 'wait', untilMs: until };
  }
  return { kind: 'deliver', seq: head.seq };
}

/** The cursor once `seq` was delivered (or skipped). Pure. */
export function afterSuccess(cursor: DeliveryCursor, seq: number, now: number): DeliveryCursor {
  return {
    schema_version: 1,
    target_id: cursor.target_id,
    through_seq: seq,
    failures: 0,
    updated: new Date(now).toISOString(),
  };
}

/** The cursor after a failed attempt at `seq`, and whether the event is now given up on. Pure. */
export function afterFailure(
  cursor: DeliveryCursor,
  seq: number,
  error: string,
  now: number,
  policy: DeliveryPolicy,
): { cursor: DeliveryCursor; deadLetter: boolean; attempts: number } {
  const attempts = cursor.failures + 1;
  const lastError = error.slice(0, 512);
  if (attempts >= policy.maxAttempts)
    return {
      cursor: { ...afterSuccess(cursor, seq, now), last_error: lastError },
      deadLetter: true,
      attempts,
    };
  return {
    cursor: {
      ...cursor,
      failures: attempts,
      last_error: lastError,
      retry_at: new Date(now + retryDelayMs(policy, attempts)).toISOString(),
      updated: new Date(now).toISOString(),
    },
    deadLetter: false,
    attempts,
  };
}
