/**
 * Scheduled snapshots, the loop (`schedule.ts` decides): every api runs one. Each tick it looks at
 * every deployment whose current plan asks for snapshots; when the deployment's slot is due it
 * claims the slot (versioned write of `/snapshot-schedule/<deployment>`; losing the race means
 * another api takes this one), takes the snapshot through {@link SnapshotService.take} (so it is
 * written, verified and recorded exactly like a requested one), then deletes the scheduled and
 * before-change snapshots beyond retention (every deployment, also those without a schedule).
 *
 * States: `latent` → `running` (`start()`) → `closed` (`close()`, terminal; waits for the tick).
 */
import { isWharfError, paths, validateDocument, type PlanDocument } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ZkSession } from '@wharf/zk';
import { type Clock } from '../clock';
import { type DeploymentStore } from '../store/types';
import {
  DEFAULT_SNAPSHOT_RETENTION,
  isDue,
  policyOf,
  slotOf,
  type SnapshotClaim,
  type SnapshotPolicy,
} from './schedule';
import { type SnapshotService } from './service';

/** Parent of the claim znodes. */
export const SNAPSHOT_SCHEDULE_ROOT = paths.snapshotScheduleRoot();
/**
 * Longest pause between two looks: a snapshot starts at most this late in its slot (of 1 min at
 * least). A look costs a listing of deployments and one read of each current plan, per api.
 */
export const MAX_SCHEDULE_TICK_MS = 30_000;
/** Shortest pause, for the short intervals tests use. */
const MIN_SCHEDULE_TICK_MS = 100;

/** Dependencies and options of a {@link SnapshotScheduler}. */
export interface SnapshotSchedulerOptions {
  zk: ZkSession;
  deployments: DeploymentStore;
  snapshots: SnapshotService;
  clock: Clock;
  logger: Logger;
  /** This api's id, written into claims. */
  id: string;
  /** > 0: every deployment's interval (`WHARF_SNAPSHOT_INTERVAL_MS`); 0: the plans' own. */
  intervalOverrideMs?: number;
}

/** What the scheduler did since it started. */
export interface SchedulerStats {
  taken: number;
  pruned: number;
  failed: number;
}

/** The scheduler's lifecycle state. */
export type SnapshotSchedulerState = 'latent' | 'running' | 'closed';

/** Takes scheduled snapshots; see the file comment. */
export class SnapshotScheduler {
  private current: SnapshotSchedulerState = 'latent';
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly counts: SchedulerStats = { taken: 0, pruned: 0, failed: 0 };
  private readonly tickMs: number;

  constructor(private readonly options: SnapshotSchedulerOptions) {
    const override = options.intervalOverrideMs ?? 0;
    this.tickMs =
      override > 0
        ? Math.min(MAX_SCHEDULE_TICK_MS, Math.max(MIN_SCHEDULE_TICK_MS, Math.floor(override / 4)))
        : MAX_SCHEDULE_TICK_MS;
  }

  /** The current state. */
  get state(): SnapshotSchedulerState {
    return this.current;
  }

  /** Counts since start. */
  stats(): SchedulerStats {
    return { ...this.counts };
  }

  /** Looks every tick until `close()`. */
  start(): void {
    if (this.current !== 'latent') return;
    this.current = 'running';
    this.options.logger.info('snapshot scheduler started', { tickMs: this.tickMs });
    this.schedule();
  }

  /** Stops looking and waits for a running tick. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    const wasRunning = this.current === 'running';
    this.current = 'closed';
    clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    if (wasRunning) this.options.logger.info('snapshot scheduler stopped', {});
  }

  /** One look at every deployment; a failure of one is logged and does not stop the others. */
  async runOnce(): Promise<void> {
    for (const { deployment } of await this.options.deployments.list()) {
      if (this.current === 'closed') return;
      if (deployment.deleting === true) continue;
      try {
        await this.consider(deployment.id, await this.currentPlan(deployment.id));
      } catch (err) {
        this.counts.failed++;
        this.options.logger.warn('scheduled snapshot failed', { deployment: deployment.id, err });
      }
    }
  }

  /** The current plan alone (one read; `plans()` would read the pending plan and attempt too). */
  private async currentPlan(deploymentId: string): Promise<PlanDocument | undefined> {
    try {
      const { value } = await this.options.zk.getJson(paths.planCurrent(deploymentId));
      const checked = validateDocument('plan', value);
      return checked.ok ? checked.value : undefined;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      throw err;
    }
  }

  /**
   * Takes the deployment's scheduled snapshot when due, then applies retention — to every
   * deployment, with a policy or not: the constructor's before-change snapshots are pruned here too
   * (`retention.snapshots` of the plan, else {@link DEFAULT_SNAPSHOT_RETENTION}).
   */
  private async consider(deploymentId: string, current: PlanDocument | undefined): Promise<void> {
    const policy = policyOf(current, this.options.intervalOverrideMs ?? 0);
    if (policy !== undefined) {
      const slot = slotOf(this.options.clock.now(), policy.intervalMs);
      if (await this.claim(deploymentId, slot, policy)) {
        await this.options.snapshots.take(deploymentId, 'schedule');
        this.counts.taken++;
        this.options.logger.info('scheduled snapshot taken', { deployment: deploymentId, slot });
      }
    }
    const retention = policy?.retention ?? DEFAULT_SNAPSHOT_RETENTION;
    for (const id of await this.options.snapshots.prune(deploymentId, retention)) {
      this.counts.pruned++;
      this.options.logger.info('snapshot pruned', { deployment: deploymentId, snapshotId: id });
    }
  }

  /** Moves the claim to `slot` if it is due; false when not due or another api won the write. */
  private async claim(deploymentId: string, slot: number, policy: SnapshotPolicy): Promise<boolean> {
    const { zk } = this.options;
    const path = paths.snapshotSchedule(deploymentId);
    let previous: { value: SnapshotClaim; version: number } | undefined;
    try {
      const node = await zk.getJson<SnapshotClaim>(path);
      previous = { value: node.value, version: node.stat.version };
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
    }
    if (!isDue(previous?.value, slot, policy.intervalMs)) return false;
    const claim: SnapshotClaim = {
      schema_version: 1,
      slot,
      interval_ms: policy.intervalMs,
      claimed_by: this.options.id,
      at: new Date(this.options.clock.now()).toISOString(),
    };
    try {
      if (previous === undefined) {
        await zk.mkdirp(SNAPSHOT_SCHEDULE_ROOT);
        // Only while the deployment exists: the constructor deletes the claim with the deployment,
        // and a claim created after that would be an orphan nobody removes.
        await zk.transaction().check(paths.deployment(deploymentId), -1).createJson(path, claim).commit();
      } else {
        await zk.setJson(path, claim, previous.version);
      }
      return true;
    } catch (err) {
      // Another api claimed the slot between our read and write: it takes the snapshot. No node:
      // the deployment (and with it the claim) was deleted meanwhile.
      if (isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS', 'WHARF_ZK_NO_NODE')) return false;
      throw err;
    }
  }

  private schedule(): void {
    if (this.current !== 'running') return;
    this.timer = setTimeout(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.current !== 'running') return;
    this.round = this.runOnce().catch((err: unknown) => {
      this.options.logger.warn('snapshot schedule round failed', { err });
    });
    await this.round;
    this.schedule();
  }
}
