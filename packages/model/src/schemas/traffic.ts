/**
 * Proxy traffic metering documents and their pure arithmetic.
 *
 * Every proxy counts, per deployment, the request bytes it received, the response bytes it sent
 * and the requests it forwarded, in memory, and flushes them about once a minute to
 * `/metering-traffic/<YYYY-MM-DDTHH>/<proxy-id>`: that proxy's *cumulative* counts of that UTC
 * hour (each flush reads the document and writes stored + new in one transaction conditional on
 * its version and on the hour still being open). A restarted proxy adds to what is stored, so
 * nothing it flushed is counted twice; what a crashed proxy had not flushed yet is lost.
 *
 * The hour node itself (`/metering-traffic/<hour>`) is open while its version is 0. The constructor
 * leader closes it once the hour is over (plus a settling period), which freezes its children,
 * then *sets* (not adds) each deployment's hour in its day document to the sum of the frozen
 * counts, then deletes the counts and marks the hour rolled. Setting a sum of frozen inputs is
 * idempotent: a leader that dies half-way is followed by one that computes the same numbers.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, SchemaVersion } from './common';

/** A traffic hour's name: its UTC start, `YYYY-MM-DDTHH`. */
export const TRAFFIC_HOUR_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}$';
/** Deployments one proxy's hour document holds at most: about 40 bytes each, well under 1 MiB. */
export const MAX_TRAFFIC_DEPLOYMENTS = 16_384;

const Count = () => Type.Integer({ minimum: 0 });

/** `/metering-traffic/<hour>/<proxy>`: one proxy's cumulative counts of one hour. */
export const TrafficCountsSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    proxy_id: Id(),
    hour: Type.String({ pattern: TRAFFIC_HOUR_PATTERN }),
    /** The process that wrote last (random per start) and its flush number: an ambiguous write is recognised. */
    writer: Type.String({ maxLength: 64 }),
    flush: Count(),
    /** Deployment id → [bytes in, bytes out, requests]. */
    deployments: Type.Record(
      Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
      Type.Array(Count(), {
        minItems: 3,
        maxItems: 3,
      }),
      { maxProperties: MAX_TRAFFIC_DEPLOYMENTS },
    ),
  },
  { additionalProperties: false },
);

/** `/metering-traffic/<hour>` once the rollup closed it (open: version 0, no data). */
export const TrafficHourSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    hour: Type.String({ pattern: TRAFFIC_HOUR_PATTERN }),
    /** `closed`: its counts are frozen and being rolled up; `rolled`: in the day documents. */
    state: Type.Union([Type.Literal('closed'), Type.Literal('rolled')]),
  },
  { additionalProperties: false },
);

/** One deployment's traffic of one hour in its day document. */
export const TrafficLineSchema = Type.Object(
  {
    /** UTC hour, `00`-`23`. */
    hour: Type.String({ pattern: '^\\d{2}$' }),
    in_bytes: Count(),
    out_bytes: Count(),
    requests: Count(),
  },
  { additionalProperties: false },
);

export type TrafficCounts = Static<typeof TrafficCountsSchema>;
export type TrafficHour = Static<typeof TrafficHourSchema>;
export type TrafficLine = Static<typeof TrafficLineSchema>;

/** Bytes in, bytes out and requests of one deployment. */
export interface TrafficTally {
  in_bytes: number;
  out_bytes: number;
  requests: number;
}

/** The traffic hour (`YYYY-MM-DDTHH`) a time falls in, UTC. */
export function trafficHourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** When a traffic hour ends (ms), or NaN for a malformed name. */
export function trafficHourEnd(hour: string): number {
  return Date.parse(`${hour}:00:00.000Z`) + 3_600_000;
}

/** `stored` plus `added`, per deployment (pure: a new document body). */
export function addTraffic(
  stored: Readonly<TrafficCounts['deployments']>,
  added: ReadonlyMap<string, TrafficTally>,
): TrafficCounts['deployments'] {
  const out: TrafficCounts['deployments'] = {};
  for (const [id, counts] of Object.entries(stored)) out[id] = [...counts];
  for (const [id, t] of added) {
    const [i, o, r] = out[id] ?? [0, 0, 0];
    out[id] = [i! + t.in_bytes, o! + t.out_bytes, r! + t.requests];
  }
  return out;
}

/** The sum of every proxy's counts of one hour, per deployment. */
export function sumTraffic(docs: readonly Pick<TrafficCounts, 'deployments'>[]): Map<string, TrafficTally> {
  const out = new Map<string, TrafficTally>();
  for (const doc of docs)
    for (const [id, [i, o, r]] of Object.entries(doc.deployments)) {
      const t = out.get(id) ?? { in_bytes: 0, out_bytes: 0, requests: 0 };
      t.in_bytes += i ?? 0;
      t.out_bytes += o ?? 0;
      t.requests += r ?? 0;
      out.set(id, t);
    }
  return out;
}

/**
 * `lines` with `hour` set to `tally` (replaced, never added: the rollup may run twice for an
 * hour), sorted by hour; `undefined` when nothing changes.
 */
export function setTrafficLine(
  lines: readonly TrafficLine[] | undefined,
  hour: string,
  tally: TrafficTally,
): TrafficLine[] | undefined {
  const line: TrafficLine = { hour, ...tally };
  const current = (lines ?? []).find((l) => l.hour === hour);
  if (
    current !== undefined &&
    current.in_bytes === line.in_bytes &&
    current.out_bytes === line.out_bytes &&
    current.requests === line.requests
  )
    return undefined;
  return [...(lines ?? []).filter((l) => l.hour !== hour), line].sort((a, b) => (a.hour < b.hour ? -1 : 1));
}
