/**
 * Usage metering by the constructor leader: every tick (default one minute) it sees which
 * instances actually run — a spec placed on an allocator whose status says `running` — and adds
 * one tick of each to its deployment's day document (`@wharf/model` `addUsage`): instance and
 * memory seconds, CPU milli-core-seconds (the share of its allocator's advertised CPUs the
 * allocator gives it for its memory, `instanceCpuMillis`) and storage MB-seconds (the data
 * directory size its allocator last reported in its status, `data_mb`).
 *
 * Why the constructor leader: it is the one process already elected to act for the whole
 * platform, it reads the same allocator tree, and a second election would only add a znode and
 * a failure mode. Why exactly once: a deployment's cursor (`/metering/<d>`, the last tick counted)
 * and the day documents it changes are written in one transaction conditional on the versions
 * read; a leader that dies half-way leaves every deployment either counted or not, and the next
 * leader continues from each cursor (`ticksToCount`). A deposed leader's late transaction fails on
 * the versions the new leader wrote. Ticks missed while no leader ran are backfilled with what runs
 * now, at most `maxBackfillTicks` of them (beyond that, what ran is not known and is not billed).
 *
 * States: created → running (`start`) → closed (`close`).
 */
import {
  addUsage,
  instanceCpuMillis,
  isWharfError,
  paths,
  ticksToCount,
  tickSlot,
  type InstanceSpec,
  type MeteredInstance,
  type MeteringCursor,
  type MeteringDay,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type ConstructorClock } from '../clock';
import { DEFAULT_METERING_RETENTION_DAYS, MAX_DELETES_PER_TRANSACTION, expiredDays } from './retention';
import { TrafficRollup } from './traffic-rollup';

/** Retention is enforced hourly: a day document expires once a day, so finer is wasted reads. */
const PRUNE_INTERVAL_MS = 3_600_000;

/** Options of a {@link MeteringLoop}. */
export interface MeteringOptions {
  zk: ZkSession;
  logger: Logger;
  clock: Pick<ConstructorClock, 'now'>;
  /** Length of a tick, the metering unit (default 60 s). */
  tickMs: number;
  /** Most ticks backfilled after a gap (default 10). */
  maxBackfillTicks?: number;
  /** Day documents are deleted once this many days old (0: kept forever). Default 400. */
  retentionDays?: number;
  /** Called after each deployment's transaction (tests: a leader dying half-way). */
  afterDeployment?: (deploymentId: string) => void;
  /** Wait after an hour ends before its proxy traffic is rolled up (default 3 minutes). */
  trafficSettleMs?: number;
  /** Called after each deployment's traffic hour is written (tests: a leader dying half-way). */
  afterTrafficDeployment?: (deploymentId: string) => void;
}

/** Running instances by deployment. */
export type RunningByDeployment = Map<string, MeteredInstance[]>;

/** The metering loop of one leadership term. */
export class MeteringLoop {
  private readonly docs: DocumentStore;
  private readonly traffic: TrafficRollup;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private closed = false;
  /** When this term last pruned past retention (a new leader prunes on its first round). */
  private prunedAt: number | undefined;

  constructor(private readonly o: MeteringOptions) {
    this.docs = new DocumentStore(o.zk, { logger: o.logger });
    this.traffic = new TrafficRollup({
      zk: o.zk,
      logger: o.logger,
      tickMs: o.tickMs,
      ...(o.trafficSettleMs === undefined ? {} : { settleMs: o.trafficSettleMs }),
      organizationOf: (id) => this.organizationOf(id),
      ...(o.afterTrafficDeployment === undefined ? {} : { afterDeployment: o.afterTrafficDeployment }),
      closed: () => this.closed,
    });
  }

  /** Runs a round now and then twice per tick (a round with nothing complete writes nothing). */
  start(): void {
    const run = () => {
      this.round ??= this.runRound()
        .catch((err: unknown) => this.o.logger.warn('metering round failed', { err }))
        .finally(() => (this.round = undefined));
    };
    run();
    this.timer = setInterval(run, Math.max(50, Math.floor(this.o.tickMs / 2)));
  }

  /**
   * Stops. Idempotent. A round in progress is not waited for (a hand-off must not wait on a
   * suspended session): it stops before its next deployment, and a write it still makes is
   * conditional on the versions it read, so it cannot count a tick twice.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** One round: every deployment that runs something, or whose cursor is not idle yet. */
  async runRound(): Promise<void> {
    const currentTick = Math.floor(this.o.clock.now() / this.o.tickMs);
    const running = await this.running();
    const metered = await this.docs.readChildren(paths.meteringRoot());
    const ids = new Set([...running.keys(), ...metered]);
    const now = this.o.clock.now();
    const retentionDays = this.o.retentionDays ?? DEFAULT_METERING_RETENTION_DAYS;
    const prune =
      retentionDays > 0 && (this.prunedAt === undefined || now - this.prunedAt >= PRUNE_INTERVAL_MS);
    for (const id of ids) {
      if (this.closed) return;
      try {
        await this.meter(id, running.get(id) ?? [], currentTick);
        this.o.afterDeployment?.(id);
        if (prune) await this.prune(id, now, retentionDays);
      } catch (err) {
        if (isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED') || isWharfError(err, 'WHARF_ZK_BAD_VERSION')) {
          this.o.logger.info('metering write lost a race; the next round re-reads', { deployment: id });
        } else throw err;
      }
    }
    if (prune) this.prunedAt = now;
    await this.rollUpTraffic(now);
  }

  /** The proxies' traffic of every hour due (`traffic-rollup.ts`); a lost race is retried next round. */
  async rollUpTraffic(now: number): Promise<void> {
    try {
      await this.traffic.run(now);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED', 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS'))
        throw err;
      this.o.logger.info('traffic rollup lost a race; the next round re-reads', { code: err.code });
    }
  }

  /**
   * Deletes the deployment's day documents past retention, each conditional on the version read
   * (this loop is their only writer, and it never writes a day that old), and then its cursor once
   * no day is left and it is idle: an idle cursor starts afresh anyway, so forgetting it changes
   * nothing that is counted, and a long-deleted deployment leaves nothing behind.
   */
  private async prune(id: string, now: number, retentionDays: number): Promise<void> {
    const cursorPath = paths.meteringCursor(id);
    const children = await this.docs.readChildren(cursorPath);
    const expired = expiredDays(children, now, retentionDays);
    for (let i = 0; i < expired.length; i += MAX_DELETES_PER_TRANSACTION) {
      const tx = this.docs.transaction();
      for (const day of expired.slice(i, i + MAX_DELETES_PER_TRANSACTION)) {
        const stat = await this.o.zk.exists(paths.meteringDay(id, day));
        if (stat !== null) tx.delete(paths.meteringDay(id, day), stat.version);
      }
      await tx.commit();
    }
    if (expired.length > 0)
      this.o.logger.info('metering days past retention removed', { deployment: id, days: expired.length });
    if (children.length > expired.length) return;
    const cursor = await this.docs.readNode('metering-cursor', cursorPath);
    if (cursor?.value?.idle !== true) return;
    await this.docs.transaction().delete(cursorPath, cursor.version).commit();
  }

  private async meter(id: string, instances: MeteredInstance[], currentTick: number): Promise<void> {
    const cursorPath = paths.meteringCursor(id);
    const stored = await this.docs.readNode('metering-cursor', cursorPath);
    const cursor = stored?.value;
    if (cursor?.idle === true && instances.length === 0) return;
    const ticks = ticksToCount(cursor, currentTick, this.o.maxBackfillTicks ?? 10);
    if (ticks.length === 0) return;
    const next: MeteringCursor = {
      schema_version: 1,
      deployment_id: id,
      through_tick: ticks[ticks.length - 1]!,
      tick_ms: this.o.tickMs,
      idle: instances.length === 0,
    };
    const tx = this.docs.transaction();
    if (stored === undefined) {
      await this.o.zk.mkdirp(paths.meteringRoot());
      tx.create('metering-cursor', cursorPath, next);
    } else tx.set('metering-cursor', cursorPath, next, stored.version);
    if (instances.length > 0) {
      const organization = await this.organizationOf(id);
      const days = new Map<string, MeteringDay>();
      const versions = new Map<string, number>();
      for (const day of new Set(ticks.map((t) => tickSlot(t, this.o.tickMs).day))) {
        const doc = await this.docs.readNode('metering-day', paths.meteringDay(id, day));
        if (doc?.value !== undefined) days.set(day, doc.value);
        if (doc !== undefined) versions.set(day, doc.version);
      }
      const base = {
        deployment_id: id,
        ...(organization === undefined ? {} : { organization_id: organization }),
      };
      for (const [day, doc] of addUsage(days, base, ticks, this.o.tickMs, instances)) {
        const version = versions.get(day);
        if (version === undefined) tx.create('metering-day', paths.meteringDay(id, day), doc);
        else tx.set('metering-day', paths.meteringDay(id, day), doc, version);
      }
    }
    await tx.commit();
  }

  private async organizationOf(id: string): Promise<string | undefined> {
    return (await this.docs.readOrSkip('deployment', paths.deployment(id)))?.value.organization_id;
  }

  /**
   * Instances whose spec is placed and whose status says running, by deployment, with the CPU
   * share their allocator gives them (from its advertised capacity) and their data size.
   */
  private async running(): Promise<RunningByDeployment> {
    const out: RunningByDeployment = new Map();
    for (const allocator of await this.docs.readChildren(paths.allocators())) {
      const capacity = (await this.docs.readOrSkip('allocator-advertisement', paths.allocator(allocator)))
        ?.value.capacity;
      const specIds = await this.docs.readChildren(paths.allocatorInstances(allocator));
      for (const instance of specIds) {
        const status = await this.docs.readOrSkip(
          'instance-status',
          paths.instanceStatus(allocator, instance),
        );
        if (status?.value.state !== 'running') continue;
        const spec: InstanceSpec | undefined = (
          await this.docs.readOrSkip('instance-spec', paths.instanceSpec(allocator, instance))
        )?.value;
        if (spec === undefined) continue;
        const list = out.get(spec.deployment_id) ?? [];
        list.push({
          stack: spec.stack,
          memory_mb: spec.memory_mb,
          ...(capacity === undefined ? {} : { cpu_millis: instanceCpuMillis(spec.memory_mb, capacity) }),
          ...(status.value.data_mb === undefined ? {} : { storage_mb: status.value.data_mb }),
        });
        out.set(spec.deployment_id, list);
      }
    }
    return out;
  }
}
