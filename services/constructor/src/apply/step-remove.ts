/**
 * Forward steps that move traffic and take old instances away: `update-routing`,
 * `leave-cluster`, `remove-instances`, `wait-until-stopped`. From `leave-cluster` on the attempt
 * cannot roll back; these steps get their own time budget instead of failing on the plan timeout.
 */
import { isWharfError, paths, type InstanceSpec, type RouteEntry, type StackKind } from '@wharf/model';
import { type InstanceRef, type ResourceChanges } from '../core/changes';
import { buildRoute, isRoutable, type RouteMember } from '../core/route';
import { iso, type StepOutcome } from '../core/step-log';
import { deleteIfExists, putDocument, readDocument } from '../io/documents';
import { type AttemptContext } from './attempt-context';
import { runHook } from './hooks';
import { deleteSpec, memberEndpoint } from './spec-writes';

/** Routes the deployment to its kept and new instances (healthy ones routable). */
export async function updateRouting(ctx: AttemptContext): Promise<StepOutcome> {
  await writeRoute(
    ctx,
    ctx.changes.resources.flatMap((r) => [...keptMembers(r), ...createdMembers(ctx, r)]),
  );
  return 'success';
}

/** Runs the stack's leave hook for each instance leaving a cluster that keeps running, one at a time. */
export async function leaveCluster(ctx: AttemptContext): Promise<StepOutcome> {
  const deadline = removalDeadline(ctx);
  ctx.state.left ??= [];
  for (const r of ctx.changes.resources) {
    const pack = ctx.deps.stacks(r.kind);
    if (r.dissolve || r.remove.length === 0 || !pack?.beforeLeave) continue;
    for (const leaving of r.remove) {
      await ctx.checkpoint();
      if (ctx.state.left.includes(leaving.instance_id)) continue;
      const status = ctx.observed().statuses.get(leaving.instance_id);
      if (status) {
        const stillMembers = [...r.keep, ...r.create, ...r.remove].filter(
          (m) => m.instance_id !== leaving.instance_id && !ctx.state.left!.includes(m.instance_id),
        );
        const members = stillMembers.flatMap((m) => {
          const s = ctx.observed().statuses.get(m.instance_id);
          return s && isRoutable(s) ? [memberEndpoint(m.instance_id, s)] : [];
        });
        const leave = memberEndpoint(leaving.instance_id, status);
        await runHook(
          ctx,
          'beforeLeave',
          () =>
            pack.beforeLeave!({
              deploymentId: ctx.deploymentId,
              refId: r.ref_id,
              members,
              leaving: leave,
              signal: ctx.signal,
            }),
          deadline,
        );
      }
      ctx.state.left.push(leaving.instance_id);
      await ctx.log(status ? 'member left' : 'member has no status; nothing to leave', {
        instance: leaving.instance_id,
      });
    }
  }
  return 'success';
}

/** Takes removed instances out of the route (or deletes the route on shutdown), then deletes their specs. */
export async function removeInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const { changes } = ctx;
  if (changes.shutdown) {
    await deleteIfExists(ctx.deps.zk, paths.route(ctx.deploymentId));
    await ctx.log('route deleted');
  } else {
    await updateRouting(ctx);
  }
  let deleted = 0;
  for (const r of changes.resources) {
    for (const i of r.remove) if (await deleteSpec(ctx.deps.zk, i.allocator_id, i.instance_id)) deleted++;
  }
  await ctx.log('instance specs deleted', { count: deleted });
  return 'success';
}

/** Waits until the allocators removed the statuses of removed instances; a dead allocator only warns. */
export async function waitUntilStopped(ctx: AttemptContext): Promise<StepOutcome> {
  const ids = ctx.changes.resources.flatMap((r) => r.remove.map((i) => i.instance_id));
  const gone = await ctx.waitUntil(
    (o) => (ids.every((id) => !o.statuses.has(id)) ? true : undefined),
    removalDeadline(ctx),
  );
  if (gone) return 'success';
  const left = ids.filter((id) => ctx.observed().statuses.has(id));
  await ctx.log('instances still reported after the wait; moving on', { instances: left.join(', ') });
  return 'warning';
}

/**
 * Writes `/routes/<deployment>` for `members`. Flags follow statuses and allocator presence; an
 * instance on an allocator that lost its live node keeps the flag the current route gives it, so
 * an attempt never makes a lost allocator's instance routable again from its stale status.
 */
export async function writeRoute(ctx: AttemptContext, members: RouteMember[]): Promise<void> {
  const statuses = ctx.observed().statuses;
  const withStatus = members.map((m) => ({ ...m, status: statuses.get(m.spec.instance_id) }));
  const path = paths.route(ctx.deploymentId);
  const route = buildRoute(ctx.deploymentId, withStatus, (stack) => routePortOf(ctx, stack), iso(ctx.now()), {
    presence: ctx.deps.allocatorPresence,
    previous: await currentRoute(ctx, path),
  });
  await putDocument(ctx.deps.zk, 'route', path, route);
  ctx.deps.metrics.routeWrites.inc({ reason: 'attempt' });
  await ctx.log('route written', {
    instances: route.instances.length,
    healthy: route.instances.filter((i) => i.healthy).length,
  });
}

async function currentRoute(ctx: AttemptContext, path: string): Promise<RouteEntry | undefined> {
  try {
    return (await readDocument(ctx.deps.zk, 'route', path))?.value;
  } catch (err) {
    // Only this constructor writes routes; an unreadable one is simply replaced.
    if (isWharfError(err, 'WHARF_VALIDATION')) return undefined;
    throw err;
  }
}

/** The route port of a stack. */
export function routePortOf(ctx: AttemptContext, stack: StackKind): string {
  const port = ctx.deps.stacks(stack)?.routePort;
  if (!port) throw new Error(`no stack pack for stack '${stack}'`);
  return port;
}

/** Route members for references to existing instances. */
export function refMembers(kind: StackKind, refs: readonly InstanceRef[]): RouteMember[] {
  return refs.map((k) => ({
    spec: { ...k, stack: kind } satisfies Pick<
      InstanceSpec,
      'instance_id' | 'allocator_id' | 'ref_id' | 'zone' | 'stack'
    >,
  }));
}

function keptMembers(r: ResourceChanges): RouteMember[] {
  return refMembers(r.kind, r.keep);
}

function createdMembers(ctx: AttemptContext, r: ResourceChanges): RouteMember[] {
  return r.create.flatMap((c) => {
    const p = ctx.state.placements?.find((x) => x.instance_id === c.instance_id);
    return p
      ? [
          {
            spec: {
              instance_id: c.instance_id,
              allocator_id: p.allocator_id,
              ref_id: c.ref_id,
              zone: p.zone,
              stack: r.kind,
            },
          },
        ]
      : [];
  });
}

/** Removal steps get at least `rollbackTimeoutMs` from now, even when the plan timeout is nearly spent. */
function removalDeadline(ctx: AttemptContext): number {
  return Math.max(ctx.state.deadline_ms, ctx.now() + ctx.deps.timing.rollbackTimeoutMs);
}
