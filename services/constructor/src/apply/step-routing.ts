/**
 * `update-routing`: routes the deployment to its kept and new instances, the removed ones listed
 * as draining (`apply/drain.ts`). A cluster created by the attempt gets its client
 * authentication turned on first, so the proxy never serves it open.
 */
import { memberEndpoint } from '../core/instances';
import { drainingMembers, targetMembers } from '../core/route-members';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { drainRoute } from './drain';
import { runHook } from './hooks';

/**
 * Routes the deployment to its kept and new instances (healthy ones routable); the instances the
 * attempt removes stay listed as draining until `remove-instances` (they stop after it).
 */
export async function updateRouting(ctx: AttemptContext): Promise<StepOutcome> {
  await secureNewClusters(ctx);
  await drainRoute(ctx, targetMembers(ctx.changes, ctx.state.placements), drainingMembers(ctx.changes));
  return 'success';
}

/** Runs the stack's `enableAuth` on every cluster the attempt bootstrapped (idempotent on resume). */
async function secureNewClusters(ctx: AttemptContext): Promise<void> {
  for (const r of ctx.changes.resources) {
    const pack = ctx.deps.stacks(r.kind);
    if (!pack?.enableAuth || r.cluster.state !== 'new' || r.create.length === 0) continue;
    const statuses = ctx.observed().statuses;
    const members = r.create.flatMap((c) => {
      const status = statuses.get(c.instance_id);
      return status ? [memberEndpoint(c.instance_id, status)] : [];
    });
    let enabled = false;
    await runHook(ctx, 'enableAuth', async () => {
      enabled = await pack.enableAuth!({
        deploymentId: ctx.deploymentId,
        refId: r.ref_id,
        members,
        planId: ctx.attempt.plan_id,
        settings: r.create[0]?.settings ?? {},
        signal: ctx.signal,
      });
    });
    if (enabled) await ctx.log('client authentication on', { ref_id: r.ref_id });
  }
}
