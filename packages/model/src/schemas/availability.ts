/**
 * `/availability/<deployment>`: the heartbeat's record of one deployment — the last probe and
 * hourly counts of probes and of probes answered — and the pure arithmetic over it. Written by
 * the constructor leader's heartbeat (`services/constructor/src/health/heartbeat.ts`), read by the
 * api (`GET /deployments/<id>` → `health`, `availability`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, SchemaVersion, Timestamp } from './common';

/** Hours of counts kept: 30 days. */
export const AVAILABILITY_HOURS_KEPT = 30 * 24;

/** One hour of probes, `hour` = `YYYY-MM-DDTHH` (UTC). */
const HourSchema = Type.Object(
  {
    hour: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}$' }),
    probes: Type.Integer({ minimum: 0 }),
    up: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const AvailabilitySchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    deployment_id: Id(),
    last: Type.Optional(
      Type.Object(
        {
          at: Timestamp(),
          up: Type.Boolean(),
          /** HTTP status the deployment answered with, absent when nothing answered. */
          status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
          ms: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Oldest first, at most {@link AVAILABILITY_HOURS_KEPT}. */
    hours: Type.Array(HourSchema, { maxItems: AVAILABILITY_HOURS_KEPT }),
  },
  { additionalProperties: false },
);

/** A deployment's availability record. */
export type Availability = Static<typeof AvailabilitySchema>;

/** One probe's outcome. */
export interface Probe {
  at: number;
  up: boolean;
  status?: number;
  ms: number;
}

/** `YYYY-MM-DDTHH` of an instant (UTC). */
export function hourOf(at: number): string {
  return new Date(at).toISOString().slice(0, 13);
}

/** `record` with `probes` counted in and hours older than 30 days dropped. Pure. */
export function addProbes(record: Availability, probes: readonly Probe[], now: number): Availability {
  const hours = new Map(record.hours.map((h) => [h.hour, { ...h }]));
  let last = record.last;
  for (const probe of probes) {
    const key = hourOf(probe.at);
    const hour = hours.get(key) ?? { hour: key, probes: 0, up: 0 };
    hour.probes++;
    if (probe.up) hour.up++;
    hours.set(key, hour);
    if (last === undefined || Date.parse(last.at) <= probe.at) {
      last = {
        at: new Date(probe.at).toISOString(),
        up: probe.up,
        ...(probe.status === undefined ? {} : { status: probe.status }),
        ms: Math.max(0, Math.round(probe.ms)),
      };
    }
  }
  const oldest = hourOf(now - (AVAILABILITY_HOURS_KEPT - 1) * 3_600_000);
  const kept = [...hours.values()].filter((h) => h.hour >= oldest).sort((a, b) => (a.hour < b.hour ? -1 : 1));
  return { ...record, hours: kept, ...(last === undefined ? {} : { last }) };
}

/**
 * Percentage of probes answered over the last `hours` hours (the current hour included), rounded
 * to 3 decimals; null when there was no probe in that window.
 */
export function availabilityPercent(record: Availability, now: number, hours: number): number | null {
  const oldest = hourOf(now - (hours - 1) * 3_600_000);
  let probes = 0;
  let up = 0;
  for (const h of record.hours) {
    if (h.hour < oldest) continue;
    probes += h.probes;
    up += h.up;
  }
  return probes === 0 ? null : Math.round((up / probes) * 100_000) / 1000;
}
