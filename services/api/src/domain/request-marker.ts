/**
 * Idempotency markers for `POST /deployments?request_id=`: `/platform/request-ids/<sha256>`
 * holds the deployment a request id created and the response it got, so a retry gets the same
 * answer. The marker is created in the same transaction as the deployment, so two concurrent
 * creates with one request id cannot both succeed.
 *
 * Markers expire `WHARF_REQUEST_ID_TTL_SECONDS` after their `created` instant: an expired marker
 * is ignored (a repeated request creates a new deployment) and swept away
 * (`request-id-sweeper.ts`). Expiry is judged by the api looking at the marker, with its own TTL.
 */
import { createHash } from 'node:crypto';
import { WharfError, isValidId } from '@wharf/model';

/** The request-id alphabet: printable ASCII without spaces, 32-128 characters (as ECE). */
export const REQUEST_ID_PATTERN = /^[\x21-\x7e]{32,128}$/;
/** Largest stored response (bytes): markers are small, like every znode. */
const MAX_MARKER_BYTES = 16 * 1024;

/** A stored idempotency marker. Not (yet) a model document kind: validated here. */
export interface RequestMarker {
  schema_version: 1;
  deployment_id: string;
  /** sha256 of the canonical JSON of the request body, to refuse reuse with another body. */
  body_sha256: string;
  created: string;
  /** The 201 body of the original create, replayed with 200. */
  response: Record<string, unknown>;
}

/** The znode name of a request id: sha256 hex (the raw id may contain any printable byte). */
export function requestIdHash(requestId: string): string {
  return createHash('sha256').update(requestId).digest('hex');
}

/** JSON with object keys sorted, so equal bodies hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the canonical JSON of a body. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Serialises a marker, refusing oversized ones. */
export function serializeMarker(marker: RequestMarker): Buffer {
  const data = Buffer.from(JSON.stringify(marker));
  if (data.length > MAX_MARKER_BYTES) {
    throw new WharfError('WHARF_INTERNAL', 'request marker too large', { details: { bytes: data.length } });
  }
  return data;
}

/** Parses a stored marker; throws `WHARF_VALIDATION` when it is not one. */
export function parseMarker(data: Buffer): RequestMarker {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new WharfError('WHARF_VALIDATION', 'invalid request marker: not JSON', { cause: err });
  }
  const m = value as Partial<RequestMarker> | null;
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.schema_version === 1 &&
    isValidId(m.deployment_id) &&
    typeof m.body_sha256 === 'string' &&
    typeof m.created === 'string' &&
    m.response !== null &&
    typeof m.response === 'object';
  if (!ok) throw new WharfError('WHARF_VALIDATION', 'invalid request marker');
  return m as RequestMarker;
}

/** Default marker lifetime (24 h, as long as a client can be expected to retry a create). */
export const DEFAULT_REQUEST_ID_TTL_SECONDS = 86_400;

/**
 * When a marker expires (ms since the epoch): `created` + TTL, or, for a marker whose contents are
 * unreadable, the znode's creation time (`ctime`, server clock) + TTL, so corrupt markers go too.
 */
export function markerExpiry(marker: RequestMarker | undefined, ctimeMs: number, ttlMs: number): number {
  const created = marker === undefined ? NaN : Date.parse(marker.created);
  return (Number.isNaN(created) ? ctimeMs : created) + ttlMs;
}

/** True when the marker has expired at `now`. */
export function isMarkerExpired(
  marker: RequestMarker | undefined,
  ctimeMs: number,
  ttlMs: number,
  now: number,
): boolean {
  return markerExpiry(marker, ctimeMs, ttlMs) <= now;
}
