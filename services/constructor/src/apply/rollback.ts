/**
 * Rollback: undo what the attempt created so the old cluster is exactly as before. Instances the
 * attempt created (specs carrying its `plan_attempt_id`) leave their cluster first when they may
 * have joined one that keeps running, then their specs are deleted and the step waits, bounded,
 * for the allocators to stop them. The old instances are never touched.
 */
import { STEP_IDS, type InstanceSpec } from '@wharf/model';
import { stepsOf } from '../core/attempt-state';
import { isRoutable } from '../core/route';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { runHook } from './hooks';
import { deleteSpec, memberEndpoint, readSpecs } from './spec-writes';
import { refMembers, writeRoute } from './step-remove';

/** Rolls the attempt back; `warning` when some instance was still reported when the wait ended. */
export async function rollbackAttempt(ctx: AttemptContext): Promise<StepOutcome> {
  const deadline = ctx.now() + ctx.deps.timing.rollbackTimeoutMs;
  const attemptId = ctx.attempt.plan_attempt_id;
  const fresh = await readSpecs(ctx.deps.zk, ctx.deps.logger, (id) => id.startsWith(`${ctx.deploymentId}-`));
  const created = fresh.specs.filter(
    (s) => s.deployment_id === ctx.deploymentId && s.plan_attempt_id === attemptId,
  );
  await ctx.log('rolling back', { created: created.length, reason: ctx.state.failure?.failure_type });
  await restoreRoute(ctx);
  await leaveCreated(ctx, created, deadline);
  for (const s of created) await deleteSpec(ctx.deps.zk, s.allocator_id, s.instance_id);
  const ids = created.map((s) => s.instance_id);
  const gone = await ctx.waitUntil(
    (o) => (ids.every((id) => !o.statuses.has(id)) ? true : undefined),
    deadline,
  );
  await ctx.log(gone ? 'created instances removed' : 'created instances still reported after the wait', {
    count: ids.length,
  });
  return gone ? 'success' : 'warning';
}

/** Puts the route back to the old instances if the attempt had already changed it. */
async function restoreRoute(ctx: AttemptContext): Promise<void> {
  const changes = ctx.state.changes;
  if (!changes || changes.shutdown) return;
  const routedAt = stepsOf(ctx.state).indexOf(STEP_IDS.updateRouting);
  if (routedAt < 0 || ctx.state.cursor < routedAt) return;
  await writeRoute(
    ctx,
    changes.resources.flatMap((r) => refMembers(r.kind, [...r.keep, ...r.remove])),
  );
}

/** Leave hooks for created instances of clusters that existed before (newest first). */
async function leaveCreated(
  ctx: AttemptContext,
  created: readonly InstanceSpec[],
  deadline: number,
): Promise<void> {
  for (const r of ctx.state.changes?.resources ?? []) {
    const pack = ctx.deps.stacks(r.kind);
    if (r.cluster.state !== 'existing' || !pack?.beforeLeave) continue;
    // Released members joined; the one whose join hook was under way may have been added.
    const mine = r.create
      .flatMap((c) => created.filter((s) => s.instance_id === c.instance_id))
      .filter((s) => !s.hold || s.instance_id === ctx.state.joining)
      .reverse();
    for (const spec of mine) {
      const status = ctx.observed().statuses.get(spec.instance_id);
      // No ports reported: the join hook never ran for it, so it never became a member.
      if (!status || Object.keys(status.ports).length === 0) continue;
      const members = [...r.keep, ...r.remove].flatMap((m) => {
        const s = ctx.observed().statuses.get(m.instance_id);
        return s && isRoutable(s) ? [memberEndpoint(m.instance_id, s)] : [];
      });
      const leaving = memberEndpoint(spec.instance_id, status);
      const ok = await runHook(
        ctx,
        'beforeLeave',
        () =>
          pack.beforeLeave!({
            deploymentId: ctx.deploymentId,
            refId: r.ref_id,
            members,
            leaving,
            signal: ctx.signal,
          }),
        deadline,
        true,
      );
      if (!ok) await ctx.log('leave hook gave up during rollback', { instance: spec.instance_id });
    }
  }
}
