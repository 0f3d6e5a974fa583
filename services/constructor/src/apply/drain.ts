/**
 * Drains instances before they stop (see `core/drain.ts`): records them in the attempt state (so
 * route health keeps them unroutable), writes the route with them listed `healthy: false` beside
 * the members that stay, and waits the drain period. Any path that stops an instance (removal,
 * rollback, shutdown, and future moves or restarts) calls {@link drainRoute} first. Idempotent: a
 * resumed step drains again, which costs one more period and nothing else.
 */
import { withDraining } from '../core/drain';
import { type RouteMember } from '../core/route';
import { type AttemptContext } from './attempt-context';
import { writeRoute } from './step-routing';

/**
 * Routes the deployment to `members` with `leaving` listed as draining, then waits the drain
 * period so proxies stop sending them requests and the requests in flight finish. Without
 * `leaving` it only writes the route.
 */
export async function drainRoute(
  ctx: AttemptContext,
  members: readonly RouteMember[],
  leaving: readonly RouteMember[],
): Promise<void> {
  const ids = leaving.map((m) => m.spec.instance_id);
  if (ids.length === 0) {
    await writeRoute(ctx, members);
    return;
  }
  const draining = withDraining(ctx.state.draining, ids);
  if (draining.length !== (ctx.state.draining ?? []).length) {
    // Saved before the route write: route health must know before it could see the new flags.
    ctx.state.draining = draining;
    await ctx.save();
  }
  await writeRoute(ctx, [...members, ...leaving.map((m) => ({ ...m, draining: true }))]);
  const drainMs = ctx.deps.timing.drainMs;
  await ctx.log('draining instances', { instances: ids.join(', '), drain_ms: drainMs });
  await ctx.deps.clock.sleep(drainMs, ctx.signal);
  await ctx.checkpoint();
  await ctx.log('instances drained', { count: ids.length });
}
