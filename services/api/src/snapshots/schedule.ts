/**
 * Scheduled snapshots, the pure part: a deployment's policy from its current plan
 * (`resources.<stack>[].settings.snapshot`), the interval **slot** a snapshot belongs to, whether
 * a claim makes one due, and which scheduled and before-change snapshots retention prunes.
 *
 * Time is cut into slots of one interval (`floor(now / interval)`); at most one scheduled
 * snapshot per deployment and slot. Whoever takes it (any api) first moves the deployment's claim
 * znode to the slot with a versioned write, so two apis, or an api that took over from one that
 * died, never take two in one slot (a claimer that dies mid-snapshot costs that slot's snapshot,
 * never a duplicate).
 */
import { listResources, type PlanDocument, type Resources, type SnapshotSettings } from '@wharf/model';

/** Interval when `settings.snapshot` gives none (ECE's default: 30 minutes). */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 30 * 60_000;
/** Scheduled snapshots kept when `retention.snapshots` is not given. */
export const DEFAULT_SNAPSHOT_RETENTION = 10;

/** When and how many scheduled snapshots a deployment gets. */
export interface SnapshotPolicy {
  intervalMs: number;
  retention: number;
}

/** The claim znode's content: the last slot a scheduled snapshot was started for. */
export interface SnapshotClaim {
  schema_version: 1;
  slot: number;
  interval_ms: number;
  claimed_by: string;
  at: string;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000 };

/** `30m` / `2h` in ms (the schema allows nothing else). */
export function intervalMs(interval: string): number {
  const unit = UNIT_MS[interval.slice(-1)];
  const count = Number(interval.slice(0, -1));
  if (unit === undefined || !Number.isInteger(count) || count < 1) {
    throw new Error(`invalid snapshot interval '${interval}'`);
  }
  return count * unit;
}

/**
 * The policy of a deployment's current plan: from the first resource with `settings.snapshot`
 * not `enabled: false`; undefined when none asks for snapshots or the deployment is shut down
 * (its instances do not run). `overrideMs` > 0 replaces every interval (tests,
 * `WHARF_SNAPSHOT_INTERVAL_MS`).
 */
export function policyOf(plan: PlanDocument | undefined, overrideMs = 0): SnapshotPolicy | undefined {
  if (plan === undefined || plan.shutdown === true || plan.stopped?.all === true) return undefined;
  if (Object.keys(plan.resources).length === 0) return undefined;
  const settings = listResources(plan.resources as Resources)
    .map((r) => r.settings?.snapshot)
    .find((s): s is SnapshotSettings => s !== undefined && s.enabled !== false);
  if (settings === undefined) return undefined;
  return {
    intervalMs:
      overrideMs > 0
        ? overrideMs
        : settings.interval
          ? intervalMs(settings.interval)
          : DEFAULT_SNAPSHOT_INTERVAL_MS,
    retention: settings.retention?.snapshots ?? DEFAULT_SNAPSHOT_RETENTION,
  };
}

/** The slot `now` falls in. */
export function slotOf(now: number, interval: number): number {
  return Math.floor(now / interval);
}

/**
 * True when a scheduled snapshot is due in `slot`: no claim yet, a claim of an earlier slot, or a
 * claim made under another interval (the slot numbers are not comparable then).
 */
export function isDue(claim: SnapshotClaim | undefined, slot: number, interval: number): boolean {
  return claim === undefined || claim.interval_ms !== interval || claim.slot < slot;
}

/** The triggers retention prunes, each kept to its own newest `retention` (requested ones never). */
export const PRUNED_TRIGGERS = ['schedule', 'before-change'] as const;

/**
 * Snapshot ids retention deletes, given records newest first: per pruned trigger (`schedule`,
 * `before-change`), those beyond the newest `retention`; never the newest snapshot of all, never
 * one in `inUse` (a restore reads it), never one taken on request.
 */
export function toPrune(
  records: readonly { id: string; trigger?: string }[],
  retention: number,
  inUse: ReadonlySet<string> = new Set(),
): string[] {
  const newest = records[0]?.id;
  return PRUNED_TRIGGERS.flatMap((trigger) =>
    records
      .filter((r) => r.trigger === trigger)
      .slice(retention)
      .map((r) => r.id)
      .filter((id) => id !== newest && !inUse.has(id)),
  );
}
