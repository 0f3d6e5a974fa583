/**
 * Webhook signatures. Each POST carries `X-Wharf-Timestamp: <unix seconds>` and
 * `X-Wharf-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 *
 * Why the timestamp is inside the MAC: a captured request replayed later carries the old
 * timestamp (changing it breaks the signature), so a receiver that rejects timestamps older than
 * its tolerance (we suggest {@link DEFAULT_SIGNATURE_TOLERANCE_S}) rejects replays; within the
 * tolerance it dedupes on the event id (`X-Wharf-Event-Id`, also `id` in the body), which it needs
 * anyway because delivery is at-least-once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header with the signature. */
export const SIGNATURE_HEADER = 'x-wharf-signature';
/** Header with the signing time, unix seconds. */
export const TIMESTAMP_HEADER = 'x-wharf-timestamp';
/** Header with the event id (receivers dedupe on it). */
export const EVENT_ID_HEADER = 'x-wharf-event-id';
/** A receiver should reject a signature older than this (5 min: clock skew plus retries in flight). */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

/** `sha256=<hex>` of `body` signed at `timestampS` with `secret`. Pure. */
export function signPayload(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`, 'utf8').digest('hex');
  return `sha256=${mac}`;
}

/**
 * What a receiver does: true when `signature` is `body`'s at `timestampS` and the timestamp is
 * within `toleranceS` of `nowS`. Constant time in the MAC.
 */
export function verifySignature(
  secret: string,
  timestampS: number,
  body: string,
  signature: string,
  nowS: number,
  toleranceS = DEFAULT_SIGNATURE_TOLERANCE_S,
): boolean {
  if (!Number.isSafeInteger(timestampS) || Math.abs(nowS - timestampS) > toleranceS) return false;
  const expected = Buffer.from(signPayload(secret, timestampS, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
