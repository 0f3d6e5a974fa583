/** The attempt's (and rollback's) way of writing a route for a set of members, through the single route writer. */
import { type StackKind } from '@wharf/model';
import { buildRoute, type RouteMember } from '../core/route';
import { iso } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { updateRoute } from './route-writer';

/**
 * Writes `/routes/<deployment>` for `members`. Flags follow statuses and allocator presence; an
 * instance on an allocator that lost its live node keeps the flag the current route gives it, so
 * an attempt never makes a lost allocator's instance routable again from its stale status.
 */
export async function writeRoute(
  ctx: AttemptContext,
  members: readonly RouteMember[],
  restoring?: boolean,
): Promise<void> {
  const statuses = ctx.observed().statuses;
  const withStatus = members.map((m) => ({ ...m, status: statuses.get(m.spec.instance_id) }));
  const updated = iso(ctx.now());
  const routePort = (stack: StackKind): string => routePortOf(ctx, stack);
  const route = await updateRoute(
    ctx.deps.zk,
    ctx.deploymentId,
    (previous) =>
      buildRoute(ctx.deploymentId, withStatus, routePort, updated, {
        presence: ctx.deps.allocatorPresence,
        previous,
        ...(restoring === undefined ? {} : { restoring }),
      }),
    // The cached route (or its absence) first: a stale one fails the compare-and-set and is read.
    ctx.deps.cachedRoute(ctx.deploymentId),
  );
  if (!route) return;
  ctx.deps.metrics.routeWrites.inc({ reason: 'attempt' });
  await ctx.log('route written', {
    instances: route.instances.length,
    healthy: route.instances.filter((i) => i.healthy).length,
    ...(route.restoring === true ? { restoring: true } : {}),
  });
}

/** The route port of a stack. */
function routePortOf(ctx: AttemptContext, stack: StackKind): string {
  const port = ctx.deps.stacks(stack)?.routePort;
  if (!port) throw new Error(`no stack pack for stack '${stack}'`);
  return port;
}
