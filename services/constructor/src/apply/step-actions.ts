/**
 * `stop-instances` and `resume-instances` (`core/actions.ts`): flip the kept instances' specs to
 * `stopped` (the allocator stops them, keeping ports and data) or back, and wait until the
 * allocators report it. `update-routing` drains the stopping ones before, and routes the resumed
 * ones after. Both steps are idempotent: a resumed attempt flips nothing twice and waits again.
 */
import { SCHEMA_VERSION } from '@wharf/model';
import { isStoppedAt } from '../core/actions';
import { type InstanceRef } from '../core/changes';
import { isRunningAt } from '../core/instances';
import { targetMembers } from '../core/route-members';
import { iso, type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { updateRoute } from './route-writer';
import { setSpecStopped } from './spec-writes';
import { writeRoute } from './write-route';

/**
 * Takes the drained instances out of the route (a shutdown: the route keeps no instance and says
 * `shutdown`, so proxies answer a coded 503 rather than 404), stops them, and waits until their
 * allocators report them stopped. An allocator that is away is not waited for: it applies the
 * stopped spec when it returns.
 */
export async function stopInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const { changes } = ctx;
  if (changes.route_shutdown === true) {
    const updated = iso(ctx.now());
    await updateRoute(ctx.deps.zk, ctx.deploymentId, () => ({
      schema_version: SCHEMA_VERSION,
      deployment_id: ctx.deploymentId,
      instances: [],
      shutdown: true,
      updated,
    }));
    await ctx.log('route marked shut down');
  } else {
    await writeRoute(ctx, targetMembers(changes, ctx.state.placements));
  }
  const stopping = changes.resources.flatMap((r) => r.stop ?? []);
  const generations = await flip(ctx, stopping, true);
  await ctx.log('stopping instances', { instances: idsOf(stopping) });
  const waited = stopping.filter((i) => ctx.deps.allocatorPresence(i.allocator_id) === 'live');
  await ctx.waitFor((o) =>
    waited.every((i) => isStoppedAt(o.statuses.get(i.instance_id), generations.get(i.instance_id) ?? 0))
      ? true
      : undefined,
  );
  await ctx.log('instances stopped', { count: stopping.length });
  return 'success';
}

/** Starts the stopped instances again and waits until they run healthy (on their own data). */
export async function resumeInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const resuming = ctx.changes.resources.flatMap((r) => r.resume ?? []);
  const generations = await flip(ctx, resuming, false);
  await ctx.log('starting stopped instances', { instances: idsOf(resuming) });
  await ctx.waitFor((o) =>
    resuming.every((i) => isRunningAt(o.statuses.get(i.instance_id), generations.get(i.instance_id) ?? 0))
      ? true
      : undefined,
  );
  await ctx.log('instances running', { count: resuming.length });
  return 'success';
}

/** Sets `stopped` on every listed spec; returns the generation each spec is at afterwards. */
async function flip(
  ctx: AttemptContext,
  refs: readonly InstanceRef[],
  stopped: boolean,
): Promise<Map<string, number>> {
  const generations = new Map<string, number>();
  for (const ref of refs) {
    await ctx.checkpoint();
    const spec = await setSpecStopped(ctx.deps.zk, ref.allocator_id, ref.instance_id, stopped);
    generations.set(ref.instance_id, spec.generation);
  }
  return generations;
}

function idsOf(refs: readonly InstanceRef[]): string {
  return refs.map((r) => r.instance_id).join(', ');
}
