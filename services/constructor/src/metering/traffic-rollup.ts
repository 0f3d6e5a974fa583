/**
 * The hourly rollup of proxy traffic (`@wharf/model` `schemas/traffic.ts`), run by the metering
 * loop of the constructor leader. For each hour under `/metering-traffic` that ended at least
 * `settleMs` ago:
 *
 * ```
 *  open (v0) ──close──▶ closed (v1) ──sum frozen counts, SET each deployment's hour──▶ rolled (v2)
 *   proxies write          proxies' writes fail           counts deleted in the same transaction
 * ```
 *
 * Closing first freezes the proxies' documents (their writes are conditional on the hour node's
 * version 0), so the sums are final; writing them as values, not increments, makes the middle
 * step idempotent: a leader that dies after some deployments is followed by one that computes the
 * very same numbers and finds those deployments already right. Hence no double count and no gap.
 */
import {
  isWharfError,
  paths,
  setTrafficLine,
  sumTraffic,
  trafficHourEnd,
  type MeteringDay,
  type TrafficTally,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';

/**
 * Default wait after an hour ends before it is closed: three proxy flush intervals (60 s each), so
 * a proxy's last write of the hour has landed even if one write failed and was retried.
 */
export const DEFAULT_TRAFFIC_SETTLE_MS = 180_000;
/** Rolled hour nodes are kept this long: a proxy's late write finds its hour closed, not absent. */
export const ROLLED_HOUR_RETENTION_MS = 7 * 86_400_000;
const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;

/** Options of a {@link TrafficRollup}. */
export interface TrafficRollupOptions {
  zk: ZkSession;
  logger: Logger;
  /** See {@link DEFAULT_TRAFFIC_SETTLE_MS}. */
  settleMs?: number;
  /** The owner recorded on a day document the rollup creates. */
  organizationOf: (deployment: string) => Promise<string | undefined>;
  /** The metering tick (recorded in a cursor the rollup creates). */
  tickMs: number;
  /** Called after each deployment's hour is written (tests: a leader dying half-way). */
  afterDeployment?: (deployment: string) => void;
  /** True once the leadership term ended: stop before the next write. */
  closed: () => boolean;
}

/** Rolls proxy traffic counts up into the deployments' day documents. */
export class TrafficRollup {
  private readonly docs: DocumentStore;

  constructor(private readonly o: TrafficRollupOptions) {
    this.docs = new DocumentStore(o.zk, { logger: o.logger });
  }

  /** Rolls up every hour due at `now`, oldest first, and forgets rolled hours past retention. */
  async run(now: number): Promise<void> {
    const settle = this.o.settleMs ?? DEFAULT_TRAFFIC_SETTLE_MS;
    const hours = (await this.docs.readChildren(paths.trafficRoot())).filter((h) => HOUR.test(h)).sort();
    for (const hour of hours) {
      if (this.o.closed() || trafficHourEnd(hour) + settle > now) return;
      const node = await this.docs.readNode('traffic-hour', paths.trafficHour(hour));
      if (node === undefined) continue;
      if (node.version === 0) await this.close(hour);
      else if (node.value?.state === 'rolled') {
        if (trafficHourEnd(hour) + ROLLED_HOUR_RETENTION_MS <= now) await this.forget(hour, node.version);
        continue;
      }
      await this.rollHour(hour);
    }
  }

  /** Freezes the hour: from now on every proxy write of it fails. */
  private async close(hour: string): Promise<void> {
    await this.docs.set(
      'traffic-hour',
      paths.trafficHour(hour),
      { schema_version: 1, hour, state: 'closed' },
      0,
    );
    this.o.logger.info('traffic hour closed', { hour });
  }

  private async rollHour(hour: string): Promise<void> {
    const names = await this.docs.readChildren(paths.trafficHour(hour));
    const counts = [];
    const versions = new Map<string, number>();
    for (const name of names) {
      const doc = await this.docs.readNode('traffic-counts', `${paths.trafficHour(hour)}/${name}`);
      if (doc === undefined) continue;
      versions.set(name, doc.version);
      if (doc.value !== undefined) counts.push(doc.value);
    }
    const sums = sumTraffic(counts);
    for (const [deployment, tally] of [...sums].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (this.o.closed()) return;
      await this.setHour(deployment, hour, tally);
      this.o.afterDeployment?.(deployment);
    }
    const tx = this.docs.transaction();
    for (const [name, version] of versions) tx.delete(`${paths.trafficHour(hour)}/${name}`, version);
    tx.set('traffic-hour', paths.trafficHour(hour), { schema_version: 1, hour, state: 'rolled' }, 1);
    await tx.commit();
    this.o.logger.info('traffic hour rolled up', { hour, deployments: sums.size, proxies: versions.size });
  }

  /** Sets the deployment's traffic of `hour` in its day document (conditional on the version read). */
  private async setHour(deployment: string, hour: string, tally: TrafficTally): Promise<void> {
    const day = hour.slice(0, 10);
    const path = paths.meteringDay(deployment, day);
    const doc = await this.docs.readNode('metering-day', path);
    const current = doc?.value;
    const traffic = setTrafficLine(current?.traffic, hour.slice(11, 13), tally);
    if (traffic === undefined) return;
    if (current !== undefined) {
      await this.docs.set('metering-day', path, { ...current, traffic }, doc!.version);
      return;
    }
    const organization = await this.o.organizationOf(deployment);
    const fresh = {
      schema_version: 1 as const,
      deployment_id: deployment,
      ...(organization === undefined ? {} : { organization_id: organization }),
      day,
      lines: [],
      traffic,
    };
    // A bad document (value undefined) is replaced; its usage lines were unreadable anyway.
    if (doc !== undefined) await this.docs.set('metering-day', path, fresh, doc.version);
    else await this.createDay(deployment, path, fresh);
  }

  /**
   * Creates a day document, and the deployment's cursor when it has none (idle: the next tick
   * that finds it running starts afresh, as for any deployment seen for the first time).
   */
  private async createDay(deployment: string, path: string, day: MeteringDay): Promise<void> {
    const tx = this.docs.transaction();
    if ((await this.o.zk.exists(paths.meteringCursor(deployment))) === null) {
      await this.o.zk.mkdirp(paths.meteringRoot());
      const cursor = { schema_version: 1 as const, deployment_id: deployment, through_tick: 0, idle: true };
      tx.create('metering-cursor', paths.meteringCursor(deployment), { ...cursor, tick_ms: this.o.tickMs });
    }
    await tx.create('metering-day', path, day).commit();
  }

  /** Deletes a rolled hour node past retention (its children are gone already). */
  private async forget(hour: string, version: number): Promise<void> {
    try {
      await this.docs.delete(paths.trafficHour(hour), version);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NOT_EMPTY')) throw err;
    }
  }
}
