/**
 * Rollback: undo what the attempt created so the old cluster is exactly as before. Instances the
 * attempt created (specs carrying its `plan_attempt_id`) leave their cluster first when they may
 * have joined one that keeps running, then their specs are deleted and the step waits, bounded,
 * for the allocators to stop them. The old instances are never touched. What to undo is decided
 * in `core/rollback.ts` and `core/membership.ts`.
 */
import { type InstanceSpec } from '@wharf/model';
import { type ResourceChanges } from '../core/changes';
import { memberEndpoint } from '../core/instances';
import { hasPorts, rollbackLeavers, routableMembers } from '../core/membership';
import { createdByAttempt, createdMembers, routeToRestore } from '../core/rollback';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { drainRoute } from './drain';
import { runLeaveHook } from './hooks';
import { ofDeployment, readSpecs } from './reads';
import { deleteSpec } from './spec-writes';
import { writeRoute } from './write-route';

/** Rolls the attempt back; `warning` when some instance was still reported when the wait ended. */
export async function rollbackAttempt(ctx: AttemptContext): Promise<StepOutcome> {
  const deadline = ctx.now() + ctx.deps.timing.rollbackTimeoutMs;
  const fresh = await readSpecs(ctx.deps.zk, ctx.deps.logger, ofDeployment(ctx.deploymentId));
  const created = createdByAttempt(fresh.specs, ctx.deploymentId, ctx.attempt.plan_attempt_id);
  await ctx.log('rolling back', { created: created.length, reason: ctx.state.failure?.failure_type });
  // Put the route back to the old instances if the attempt had already changed it; the created
  // ones drain (listed unroutable) before they leave their cluster and the route.
  const restore = routeToRestore(ctx.state);
  if (restore) await drainRoute(ctx, restore, createdMembers(created));
  for (const r of ctx.state.changes?.resources ?? []) await leaveCreated(ctx, r, created, deadline);
  if (restore) await writeRoute(ctx, restore);
  for (const s of created) await deleteSpec(ctx.deps.zk, ctx.deps.index, s.allocator_id, s.instance_id);
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

/** Leave hooks for the created members of `r` if its cluster existed before (newest first). */
async function leaveCreated(
  ctx: AttemptContext,
  r: ResourceChanges,
  created: readonly InstanceSpec[],
  deadline: number,
): Promise<void> {
  const pack = ctx.deps.stacks(r.kind);
  if (!pack?.beforeLeave) return;
  for (const spec of rollbackLeavers(r, created, ctx.state.joining)) {
    const statuses = ctx.observed().statuses;
    const status = statuses.get(spec.instance_id);
    // No ports reported: the join hook never ran for it, so it never became a member.
    if (!hasPorts(status)) continue;
    const members = routableMembers([...r.keep, ...r.remove], statuses);
    const leaving = memberEndpoint(spec.instance_id, status);
    const ok = await runLeaveHook(ctx, pack, { r, members, leaving }, deadline, true);
    if (!ok) await ctx.log('leave hook gave up during rollback', { instance: spec.instance_id });
  }
}
