/**
 * The leader's recovery loop: when an allocator has been without its live node for the recovery
 * grace (`WHARF_ALLOCATOR_RECOVER_GRACE_MS`, default 10 s; 0 disables), every deployment with
 * instances on it gets a pending plan that moves them (`source.action: recover`, the reason in
 * `source.reason`): an ordinary attempt then places replacements, evicts the dead members,
 * joins the new ones and routes them. Decided in `core/moves.ts` (`recoveriesDue`); this shell
 * reads the current plan fresh and creates `plan/pending` — a create, so a plan written by the
 * api in the meantime wins and the recovery waits for the next pass (queued, never folded in).
 * A resource whose every member was lost (a single-member deployment) is recovered from its
 * latest snapshot (the plan's `restore` block; `core/restore.ts`), or held while it has none.
 * Never during a mass loss (the loss tracker reports nobody away then). Woken by cache events
 * and by one timer for the earliest grace end.
 *
 * States: inactive (created, or closed) → active (`start`) → inactive (`close`, idempotent).
 */
import { isWharfError, paths, serializeDocument, type PlanRestore } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ConstructorClock } from '../clock';
import {
  movePlan,
  recoveriesDue,
  recoveryReason,
  type Recovery,
  type RecoveryDeployment,
} from '../core/moves';
import { type DeploymentView, type ObservedState } from '../core/observed';
import { isActive, iso } from '../core/step-log';
import { readCurrentPlan } from '../apply/reads';
import { latestSnapshot } from './latest-snapshot';
import { type ZkPort } from '../io/zk-port';

/** Dependencies of a {@link RecoveryLoop}. */
export interface RecoveryLoopDeps {
  zk: ZkPort;
  logger: Logger;
  clock: ConstructorClock;
  /** Away this long (ms) and its instances move; 0 disables recovery. */
  graceMs: number;
  /** Pause between the first change of a burst and the pass it triggers. */
  debounceMs: number;
  signal: AbortSignal;
}

/** What a pass reads. */
export interface RecoverySource {
  ready(): boolean;
  observed(): ObservedState;
  deployments(): ReadonlyMap<string, DeploymentView>;
  awaySince(): ReadonlyMap<string, number>;
}

/** Recovery for one leadership term. */
export class RecoveryLoop {
  private source: RecoverySource | undefined;
  private active = false;
  private queued = false;
  private running: Promise<void> = Promise.resolve();
  private wakeAt: number | undefined;
  /** Deployments already logged as held for a reason (logged once per reason). */
  private readonly heldNoted = new Map<string, string>();

  constructor(private readonly deps: RecoveryLoopDeps) {}

  /** Starts running passes over `source`. */
  start(source: RecoverySource): void {
    if (this.deps.graceMs <= 0) return;
    this.source = source;
    this.active = true;
  }

  /** Waits for a pass under way and stops. Idempotent. */
  async close(): Promise<void> {
    this.active = false;
    await this.running;
  }

  /** Runs a pass after the debounce, once per burst, never two at once. */
  queue(): void {
    if (this.queued || !this.active) return;
    this.queued = true;
    void this.deps.clock.sleep(this.deps.debounceMs, this.deps.signal).then(() => {
      this.queued = false;
      if (!this.active) return;
      this.running = this.running
        .then(() => this.pass())
        .catch((err: unknown) => this.deps.logger.warn('recovery pass failed', { err }));
    });
  }

  private async pass(): Promise<void> {
    const source = this.source;
    if (!source?.ready()) return;
    const now = this.deps.clock.now();
    const decision = recoveriesDue({
      deployments: [...source.deployments().values()].map(toRecoveryDeployment),
      specs: source.observed().specs.values(),
      awaySince: source.awaySince(),
      now,
      graceMs: this.deps.graceMs,
    });
    for (const held of decision.held) {
      if (this.heldNoted.get(held.deployment_id) === held.reason) continue;
      this.heldNoted.set(held.deployment_id, held.reason);
      this.deps.logger.warn('recovery held', { deployment: held.deployment_id, reason: held.reason });
    }
    for (const r of decision.due) await this.plan(r, now);
    for (const r of decision.rebuild) await this.rebuild(r, now);
    this.wake(decision.nextAt);
  }

  /** A wholly lost resource comes back from the latest snapshot; without one it stays held. */
  private async rebuild(r: Recovery, now: number): Promise<void> {
    const restore = await latestSnapshot(this.deps.zk, this.deps.logger, r.deployment_id);
    if (restore !== undefined) {
      await this.plan(r, now, restore);
      return;
    }
    if (this.heldNoted.get(r.deployment_id) === 'no-snapshot') return;
    this.heldNoted.set(r.deployment_id, 'no-snapshot');
    this.deps.logger.warn('recovery held', { deployment: r.deployment_id, reason: 'no-snapshot' });
  }

  /** Creates the recovery's pending plan from the current plan (nothing when a plan is pending). */
  private async plan(r: Recovery, now: number, restore?: PlanRestore): Promise<void> {
    const { zk, logger } = this.deps;
    const current = await readCurrentPlan(zk, r.deployment_id);
    if (!current || current.shutdown === true) return;
    const reason = recoveryReason(r, restore);
    const moved = movePlan(
      current,
      { instances: r.instances },
      { action: 'recover', reason },
      `recover-${now.toString(36)}`,
      iso(now),
    );
    const plan = restore === undefined ? moved : { ...moved, restore };
    try {
      await zk.create(paths.planPending(r.deployment_id), serializeDocument('plan', plan));
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NODE_EXISTS', 'WHARF_ZK_NO_NODE')) return;
      throw err;
    }
    this.heldNoted.delete(r.deployment_id);
    logger.warn('recovery planned', { deployment: r.deployment_id, plan: plan.plan_id, reason });
  }

  /** One timer for the earliest grace end. */
  private wake(at: number | undefined): void {
    if (at === undefined || this.deps.signal.aborted) return;
    if (this.wakeAt !== undefined && this.wakeAt <= at && this.wakeAt > this.deps.clock.now()) return;
    this.wakeAt = at;
    void this.deps.clock.sleep(at - this.deps.clock.now(), this.deps.signal).then(() => {
      if (this.wakeAt !== at) return;
      this.wakeAt = undefined;
      this.queue();
    });
  }
}

/** A deployment view as the recovery decision needs it. */
function toRecoveryDeployment(v: DeploymentView): RecoveryDeployment {
  return {
    id: v.id,
    busy: v.pending !== undefined || (v.attempt !== undefined && isActive(v.attempt)),
    deleting: v.deployment?.deleting === true,
  };
}
