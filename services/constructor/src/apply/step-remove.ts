/**
 * `remove-instances` and `wait-until-stopped`: take removed instances out of the route (or delete
 * the route on shutdown), delete their specs, then wait (bounded) until their statuses are gone.
 */
import { drainingMembers, targetMembers } from '../core/route-members';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { drainRoute } from './drain';
import { deleteRoute } from './route-writer';
import { deleteSpec } from './spec-writes';
import { removalDeadline } from './step-leave';
import { writeRoute } from './write-route';

/**
 * Takes removed instances (drained by `update-routing`) out of the route, then deletes their
 * specs. A shutdown drains every instance first, then deletes the route.
 */
export async function removeInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const { changes } = ctx;
  if (changes.shutdown) {
    await drainRoute(ctx, [], drainingMembers(changes));
    await deleteRoute(ctx.deps.zk, ctx.deploymentId);
    await ctx.log('route deleted');
  } else {
    await writeRoute(ctx, targetMembers(changes, ctx.state.placements));
  }
  let deleted = 0;
  for (const r of changes.resources) {
    for (const i of r.remove)
      if (await deleteSpec(ctx.deps.zk, ctx.deps.index, i.allocator_id, i.instance_id)) deleted++;
  }
  await ctx.log('instance specs deleted', { count: deleted });
  return 'success';
}

/**
 * Waits until the allocators removed the statuses of removed instances. An allocator that is not
 * live cannot: its instances are not waited for (it removes them when it returns and finds
 * their specs gone), so a recovery does not hang on the host it recovers from.
 */
export async function waitUntilStopped(ctx: AttemptContext): Promise<StepOutcome> {
  const removed = ctx.changes.resources.flatMap((r) => r.remove);
  const away = removed.filter((i) => ctx.deps.allocatorPresence(i.allocator_id) !== 'live');
  if (away.length > 0) {
    await ctx.log('not waiting for instances of allocators that are away', {
      instances: away.map((i) => i.instance_id).join(', '),
    });
  }
  const ids = removed.filter((i) => !away.includes(i)).map((i) => i.instance_id);
  const gone = await ctx.waitUntil(
    (o) => (ids.every((id) => !o.statuses.has(id)) ? true : undefined),
    removalDeadline(ctx),
  );
  if (gone) return 'success';
  const left = ids.filter((id) => ctx.observed().statuses.has(id));
  await ctx.log('instances still reported after the wait; moving on', { instances: left.join(', ') });
  return 'warning';
}
