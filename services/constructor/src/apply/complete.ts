/**
 * `plan-completed`: one transaction makes the outcome visible — plan/current := the plan (on
 * success), plan/pending deleted (if it is still this attempt's plan), the attempt copied to
 * plan/history/attempt-<seq>, and the attempt node left with its final status. A successful
 * shutdown instead deletes the route and the whole deployment subtree.
 */
import {
  FAILURE_TYPES,
  STEP_IDS,
  isWharfError,
  paths,
  serializeDocument,
  type PlanAttempt,
} from '@wharf/model';
import { finishAttempt, type FinalStatus } from '../core/step-log';
import { documentsOf } from '../io/documents';
import { type AttemptContext } from './attempt-context';
import { interrupted } from './interrupt';
import { deleteRoute } from './route-writer';

/** Transaction retries when plan/pending or plan/current changed under us (the api wrote meanwhile). */
const COMPLETE_TX_ATTEMPTS = 3;

/** Ends the attempt and publishes its outcome. */
export async function completeAttempt(ctx: AttemptContext): Promise<FinalStatus> {
  const failure = ctx.state.failure;
  const status: FinalStatus = !failure
    ? 'success'
    : failure.failure_type === FAILURE_TYPES.cancelled
      ? 'cancelled'
      : 'error';
  ctx.begin(STEP_IDS.planCompleted);
  ctx.end(
    STEP_IDS.planCompleted,
    failure ? 'error' : 'success',
    failure?.message ?? 'plan completed',
    failure?.failure_type,
  );
  const final = finishAttempt(
    // The state as it is now: a step end deferred to the next save is in it (see `defer`).
    { ...ctx.attempt, state: JSON.parse(JSON.stringify(ctx.state)) as Record<string, unknown> },
    status,
    ctx.now(),
    failure ? { message: failure.message, failure_type: failure.failure_type } : undefined,
  );
  if (status === 'success' && ctx.state.changes?.shutdown) {
    await finishShutdown(ctx, final);
  } else {
    await publish(ctx, final, status === 'success');
  }
  const seconds = (Date.parse(final.attempt_end_time ?? '') - Date.parse(final.attempt_start_time)) / 1000;
  ctx.deps.metrics.attempts.inc({ outcome: status });
  ctx.deps.metrics.attemptDuration.observe({ outcome: status }, Number.isFinite(seconds) ? seconds : 0);
  ctx.logger.info('attempt completed', { status, failure_type: failure?.failure_type, seconds });
  if (status === 'error')
    ctx.deps.events?.emit({
      type: 'plan-failed',
      severity: 'warning',
      deployment_id: ctx.deploymentId,
      message: `plan ${ctx.state.plan.plan_id} failed (${failure?.failure_type ?? 'unknown'}): ${failure?.message ?? ''}`,
    });
  return status;
}

/** The completion transaction, retried when the api changed plan/pending or plan/current meanwhile. */
async function publish(ctx: AttemptContext, final: PlanAttempt, success: boolean): Promise<void> {
  const { zk } = ctx.deps;
  const d = ctx.deploymentId;
  const history: PlanAttempt = { ...final };
  delete history.state;
  // Try 0 trusts the cache (plan/pending's version), plan/current's version as validation read it
  // and that plan/history exists (the api creates it with the deployment): no read before the
  // transaction. When either was wrong the
  // transaction fails as a whole, and the tries after it read fresh and create the parent.
  for (let i = 0; ; i++) {
    if (i === 1) await zk.mkdirp(paths.planHistory(d));
    const tx = zk.transaction();
    const cached = i === 0 ? ctx.deps.planNodes(d)?.pending : undefined;
    const pending = cached?.value.plan_id === ctx.state.plan.plan_id ? cached : await freshPending(ctx);
    if (pending && pending.value.plan_id === ctx.state.plan.plan_id)
      tx.delete(paths.planPending(d), pending.version);
    if (success) {
      const known = i === 0 ? ctx.currentPlanVersion : undefined;
      const current =
        known === undefined
          ? await zk.exists(paths.planCurrent(d))
          : known === null
            ? null
            : { version: known };
      // A restore is applied once: a current plan that kept the block would carry it into the
      // next plans built from it (moves, recoveries) and wipe the data again.
      const { restore: _restore, ...applied } = ctx.state.plan;
      const plan = serializeDocument('plan', applied);
      if (current) tx.set(paths.planCurrent(d), plan, current.version);
      else tx.create(paths.planCurrent(d), plan);
    }
    tx.create(paths.planHistoryEntryPrefix(d), ctx.encode(history), 'persistent_sequential');
    const data = ctx.encode(final);
    tx.set(paths.planAttempt(d), data, ctx.version);
    try {
      await tx.commit();
      ctx.attempt = final;
      ctx.version++;
      ctx.deps.attemptSettled(d, ctx.version, final.plan_id);
      return;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED')) throw err;
      const attemptNow = await zk.exists(paths.planAttempt(d));
      if (!attemptNow || attemptNow.version !== ctx.version)
        throw interrupted('attempt changed by someone else', err);
      if (i >= COMPLETE_TX_ATTEMPTS) throw err;
      if (i > 0) ctx.logger.warn('completion transaction conflicted; retrying', { err });
    }
  }
}

/** plan/pending read fresh; an invalid one is not ours to delete (any other read error stops the completion). */
async function freshPending(ctx: AttemptContext) {
  return documentsOf(ctx.deps.zk, ctx.deps.logger).readOrSkip('plan', paths.planPending(ctx.deploymentId));
}

/** Shutdown: mark the attempt done, then remove the route and the deployment's whole subtree. */
async function finishShutdown(ctx: AttemptContext, final: PlanAttempt): Promise<void> {
  const { zk } = ctx.deps;
  const d = ctx.deploymentId;
  const data = ctx.encode(final);
  await zk.set(paths.planAttempt(d), data, ctx.version).catch((err: unknown) => {
    if (isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE'))
      throw interrupted('attempt changed by someone else', err);
    throw err;
  });
  ctx.attempt = final;
  await deleteRoute(zk, d);
  await deleteDeploymentTree(ctx);
}

/**
 * Deletes `/deployments/<d>` and everything below it (also used to finish an interrupted
 * shutdown), then its scheduled-snapshot claim: an api creates a claim only while the deployment
 * exists (a checked transaction), so none appears after this. Snapshot records stay: they outlive
 * the deployment on purpose (restore into a new one).
 */
export async function deleteDeploymentTree(
  ctx: Pick<AttemptContext, 'deps' | 'deploymentId'>,
): Promise<void> {
  for (const path of [paths.deployment(ctx.deploymentId), paths.snapshotSchedule(ctx.deploymentId)]) {
    try {
      await ctx.deps.zk.deleteRecursive(path);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
    }
  }
}
