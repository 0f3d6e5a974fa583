/**
 * Usage metering documents and their pure arithmetic.
 *
 * `/metering/<deployment>` holds the cursor: the last metering tick counted for that deployment.
 * `/metering/<deployment>/<YYYY-MM-DD>` holds that day's usage by UTC hour and stack: instance
 * seconds, memory MB-seconds, CPU milli-core-seconds (the CPU share the allocator gives an
 * instance for its memory, {@link instanceCpuMillis}) and storage MB-seconds (the data directory
 * size the allocator last measured) of the instances that were actually running (specs placed and
 * statuses `running`), not what the plan asked for. The constructor leader writes a deployment's
 * cursor and its day documents in one ZooKeeper transaction, conditional on the versions it read,
 * so a tick is counted exactly once even when the leader dies half-way through a round.
 * The records outlive the deployment (a deleted deployment is still billed for what it ran).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, SchemaVersion } from './common';
import { TrafficLineSchema } from './traffic';

const Day = () => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const MeteringCursorSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    deployment_id: Id(),
    /** The last tick counted (tick = floor(ms / tick_ms)). */
    through_tick: Type.Integer({ minimum: 0 }),
    tick_ms: Type.Integer({ minimum: 1 }),
    /** True once a tick found nothing running: the next running tick starts afresh (no backfill). */
    idle: Type.Boolean(),
  },
  { additionalProperties: false },
);

const UsageLineSchema = Type.Object(
  {
    /** UTC hour, `00`-`23`. */
    hour: Type.String({ pattern: '^\\d{2}$' }),
    stack: Type.String({ maxLength: 32 }),
    instance_seconds: Type.Integer({ minimum: 0 }),
    memory_mb_seconds: Type.Integer({ minimum: 0 }),
    /** CPU milli-cores × seconds (absent in documents written before CPU was metered). */
    cpu_milli_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Data directory MB (MiB) × seconds (absent before storage was metered). */
    storage_mb_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const MeteringDaySchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    deployment_id: Id(),
    /** The owner when the usage was counted (kept: the deployment may be gone when billed). */
    organization_id: Type.Optional(Id()),
    day: Day(),
    lines: Type.Array(UsageLineSchema, { maxItems: 24 * 16 }),
    /** Proxy traffic by hour (`schemas/traffic.ts`), set by the hourly rollup; absent: none counted. */
    traffic: Type.Optional(Type.Array(TrafficLineSchema, { maxItems: 24 })),
  },
  { additionalProperties: false },
);

export type MeteringCursor = Static<typeof MeteringCursorSchema>;
export type MeteringDay = Static<typeof MeteringDaySchema>;
export type UsageLine = Static<typeof UsageLineSchema>;

/** One running instance as metering sees it. */
export interface MeteredInstance {
  stack: string;
  memory_mb: number;
  /** Its CPU share in milli-cores; absent: not known (its allocator's advertisement unreadable). */
  cpu_millis?: number;
  /** Its data directory's size as last measured; absent: not measured yet. */
  storage_mb?: number;
}

/**
 * The fraction of its allocator's CPUs an instance gets: the share its memory is of the
 * allocator's capacity, at most all of it (ECE's rule; the Docker runtime enforces it as a CFS
 * quota, the process runtime does not limit CPU).
 */
export function cpuShare(memoryMb: number, capacityMb: number): number {
  return capacityMb > 0 ? Math.min(1, memoryMb / capacityMb) : 1;
}

/** The CPU an instance of `memoryMb` gets on an allocator of `capacity`, in whole milli-cores. */
export function instanceCpuMillis(memoryMb: number, capacity: { memory_mb: number; cpus: number }): number {
  return Math.round(cpuShare(memoryMb, capacity.memory_mb) * capacity.cpus * 1000);
}

/**
 * The ticks to count now: every complete tick after the cursor, at most `maxBackfill` of them (a
 * leader away longer than that does not guess what ran meanwhile), none after an idle tick.
 */
export function ticksToCount(
  cursor: Pick<MeteringCursor, 'through_tick' | 'idle'> | undefined,
  currentTick: number,
  maxBackfill: number,
): number[] {
  const last = currentTick - 1; // the current tick is not complete yet
  const first =
    cursor === undefined || cursor.idle ? last : Math.max(cursor.through_tick + 1, last - maxBackfill + 1);
  const out: number[] = [];
  for (let t = first; t <= last; t++) out.push(t);
  return out;
}

/** `day` (`YYYY-MM-DD`) and `hour` (`HH`) of a tick, UTC. */
export function tickSlot(tick: number, tickMs: number): { day: string; hour: string } {
  const iso = new Date(tick * tickMs).toISOString();
  return { day: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/**
 * Adds `ticks` of `instances` to the day documents (by day), creating the ones missing. Pure:
 * returns the documents that changed, by day.
 */
export function addUsage(
  days: ReadonlyMap<string, MeteringDay>,
  base: Pick<MeteringDay, 'deployment_id' | 'organization_id'>,
  ticks: readonly number[],
  tickMs: number,
  instances: readonly MeteredInstance[],
): Map<string, MeteringDay> {
  const changed = new Map<string, MeteringDay>();
  const seconds = tickMs / 1000;
  for (const tick of ticks) {
    const { day, hour } = tickSlot(tick, tickMs);
    const doc = changed.get(day) ??
      structuredClone(days.get(day)) ?? { schema_version: 1 as const, ...base, day, lines: [] };
    for (const instance of instances) {
      let line = doc.lines.find((l) => l.hour === hour && l.stack === instance.stack);
      if (line === undefined) {
        line = { hour, stack: instance.stack, instance_seconds: 0, memory_mb_seconds: 0 };
        doc.lines.push(line);
      }
      line.instance_seconds += seconds;
      line.memory_mb_seconds += seconds * instance.memory_mb;
      if (instance.cpu_millis !== undefined)
        line.cpu_milli_seconds = (line.cpu_milli_seconds ?? 0) + seconds * instance.cpu_millis;
      if (instance.storage_mb !== undefined)
        line.storage_mb_seconds = (line.storage_mb_seconds ?? 0) + seconds * instance.storage_mb;
    }
    doc.lines.sort((a, b) => (a.hour === b.hour ? (a.stack < b.stack ? -1 : 1) : a.hour < b.hour ? -1 : 1));
    changed.set(day, doc);
  }
  return changed;
}

/** `/platform/pricing`: the price list, in integer micro-units of `currency` (no floating point). */
export const PricingSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    /** Per instance-hour. */
    instance_hour_micros: Type.Integer({ minimum: 0 }),
    /** Per GB (1024 MB) of memory per hour. */
    memory_gb_hour_micros: Type.Integer({ minimum: 0 }),
    /** Per CPU-hour (one core for an hour); absent: 0. */
    cpu_hour_micros: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Per GB (1024 MB) of data directory per hour; absent: 0. */
    storage_gb_hour_micros: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Per GB (2^30 bytes) transferred through the proxies, in and out; absent: 0. */
    transfer_gb_micros: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Per-stack prices replacing the two above. */
    stacks: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
        Type.Object(
          {
            instance_hour_micros: Type.Optional(Type.Integer({ minimum: 0 })),
            memory_gb_hour_micros: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        { maxProperties: 32 },
      ),
    ),
    updated: Type.String({ maxLength: 40 }),
  },
  { additionalProperties: false },
);

export type Pricing = Static<typeof PricingSchema>;
