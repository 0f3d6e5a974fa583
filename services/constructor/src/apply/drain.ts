/**
 * Drains instances before they stop (see `core/drain.ts`): records them in the attempt state (so
 * route health keeps them unroutable), writes the route with them listed `healthy: false` beside
 * the members that stay, and waits the drain period. Any path that stops an instance (removal,
 * rollback, shutdown, and future moves or restarts) calls {@link drainRoute} first. Idempotent: a
 * resumed step drains again, which costs one more period and nothing else.
 */
import { withDraining } from '../core/drain';
import { isRoutable, type RouteMember } from '../core/route';
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
  restoring?: boolean,
): Promise<void> {
  const ids = leaving.map((m) => m.spec.instance_id);
  if (ids.length === 0) {
    await writeRoute(ctx, members, restoring);
    return;
  }
  const draining = withDraining(ctx.state.draining, ids);
  if (draining.length !== (ctx.state.draining ?? []).length) {
    // Saved before the route write: route health must know before it could see the new flags.
    ctx.state.draining = draining;
    await ctx.save();
  }
  await writeRoute(ctx, [...members, ...leaving.map((m) => ({ ...m, draining: true }))], restoring);
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

/**
 * Closes the route for an in-place restore (`_restore`): every member listed unroutable and the
 * route marked `restoring`, so proxies answer `WHARF_DEPLOYMENT_RESTORING` (503) at once instead
 * of serving a key space that is empty or half written; then waits the drain period so the
 * requests in flight finish before the first delete. {@link reopenRoute} undoes it.
 */
export async function closeRouteForRestore(ctx: AttemptContext): Promise<void> {
  const all = targetMembers(ctx.changes, ctx.state.placements);
  await drainRoute(ctx, [], all, ctx.deps.timing.drainMs, true);
  await ctx.log('route closed for the restore', { instances: all.length });
}

/**
 * Reopens the route after an in-place restore: waits until every member runs healthy (on the
 * restored data), then routes them all and drops the `restoring` mark.
 */
export async function reopenRoute(ctx: AttemptContext): Promise<void> {
  const all = targetMembers(ctx.changes, ctx.state.placements);
  await ctx.waitFor((o) =>
    all.every((m) => isRoutable(o.statuses.get(m.spec.instance_id))) ? true : undefined,
  );
  ctx.state.draining = [];
  await ctx.save();
  await writeRoute(ctx, all, false);
  await ctx.log('route reopened', { instances: all.length });
}
