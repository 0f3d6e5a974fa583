/**
 * Drains instances before they stop (see `core/drain.ts`): records them in the attempt state (so
 * route health keeps them unroutable), writes the route with them listed `healthy: false` beside
 * the members that stay, and waits the drain period. Any path that stops an instance (removal,
 * rollback, shutdown, and future moves or restarts) calls {@link drainRoute} first. Idempotent: a
 * resumed step drains again, which costs one more period and nothing else.
 */
import { withDraining } from '../core/drain';
import { type RouteMember } from '../core/route';
import { drainingMembers, targetMembers } from '../core/route-members';
import { type AttemptContext } from './attempt-context';
import { writeRoute } from './write-route';

/**
 * Routes the deployment to `members` with `leaving` listed as draining, then waits the drain
 * period so proxies stop sending them requests and the requests in flight finish. Without
 * `leaving` it only writes the route.
 */
export async function drainRoute(
  ctx: AttemptContext,
  members: readonly RouteMember[],
  leaving: readonly RouteMember[],
  periodMs: number = ctx.deps.timing.drainMs,
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
  await ctx.log('draining instances', { instances: ids.join(', '), drain_ms: periodMs });
  await ctx.flush();
  await ctx.deps.clock.sleep(periodMs, ctx.signal);
  await ctx.checkpoint();
  await ctx.log('instances drained', { count: ids.length });
}

/**
 * Pauses the route: every member (staying and leaving) listed unroutable for the pause period,
 * so proxies hold new requests and the ones in flight finish before a leave that stops the
 * cluster briefly. {@link resumeRoute} undoes it.
 */
export async function pauseRoute(ctx: AttemptContext): Promise<void> {
  ctx.state.paused = true;
  const all = [...targetMembers(ctx.changes, ctx.state.placements), ...drainingMembers(ctx.changes)];
  await drainRoute(ctx, [], all, ctx.deps.timing.pauseDrainMs);
}

/** Ends a pause: the staying members routable again, the removed ones still draining. */
export async function resumeRoute(ctx: AttemptContext): Promise<void> {
  const removed = drainingMembers(ctx.changes);
  ctx.state.paused = false;
  ctx.state.draining = removed.map((m) => m.spec.instance_id);
  await ctx.save();
  await writeRoute(ctx, [...targetMembers(ctx.changes, ctx.state.placements), ...removed]);
  await ctx.log('route resumed');
}
