/**
 * `leave-cluster`: runs the stack's leave hook for each instance leaving a cluster that keeps
 * running, one at a time, with the members that remain. Resumable one member at a time
 * (`state.left`). From here on the attempt cannot roll back, so the removal steps get their own
 * time budget instead of failing on the plan timeout.
 */
import { needsLeave, remainingMembers } from '../core/membership';
import { memberEndpoint } from '../core/instances';
import { type ResourceChanges } from '../core/changes';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { pauseRoute, resumeRoute } from './drain';
import { runLeaveHook } from './hooks';

/** Runs the stack's leave hook for each instance leaving a cluster that keeps running, one at a time. */
export async function leaveCluster(ctx: AttemptContext): Promise<StepOutcome> {
  const deadline = removalDeadline(ctx);
  ctx.state.left ??= [];
  // A leader that stopped during a pause: the route comes back before anything else.
  if (ctx.state.paused) await resumeRoute(ctx);
  for (const r of ctx.changes.resources) {
    if (!needsLeave(r, Boolean(ctx.deps.stacks(r.kind)?.beforeLeave))) continue;
    for (const leaving of r.remove) {
      await ctx.checkpoint();
      if (ctx.state.left.includes(leaving.instance_id)) continue;
      const hadStatus = await leaveOne(ctx, r, leaving.instance_id, deadline);
      ctx.state.left.push(leaving.instance_id);
      await ctx.log(hadStatus ? 'member left' : 'member has no status; nothing to leave', {
        instance: leaving.instance_id,
      });
    }
  }
  return 'success';
}

/** The leave hook for one member; false when it has no status (nothing to leave). */
async function leaveOne(
  ctx: AttemptContext,
  r: ResourceChanges,
  instanceId: string,
  deadline: number,
): Promise<boolean> {
  const pack = ctx.deps.stacks(r.kind)!;
  const statuses = ctx.observed().statuses;
  const status = statuses.get(instanceId);
  if (!status) return false;
  const members = remainingMembers(r, instanceId, ctx.state.left ?? [], statuses);
  const leaving = memberEndpoint(instanceId, status);
  const context = { deploymentId: ctx.deploymentId, refId: r.ref_id, members, leaving, signal: ctx.signal };
  // Unsure (the lookup failed): pause anyway; it costs the clients a second of waiting, not errors.
  const pause = pack.leavePausesCluster ? await pack.leavePausesCluster(context).catch(() => true) : false;
  if (pause) await pauseRoute(ctx);
  await runLeaveHook(ctx, pack, { r, members, leaving }, deadline);
  if (pause) await resumeRoute(ctx);
  return true;
}

/** Removal steps get at least `rollbackTimeoutMs` from now, even when the plan timeout is nearly spent. */
export function removalDeadline(ctx: AttemptContext): number {
  return Math.max(ctx.state.deadline_ms, ctx.now() + ctx.deps.timing.rollbackTimeoutMs);
}
