/**
 * `start-instances` and `wait-until-running`: release the held specs once every new instance
 * reported its ports, then wait until they run healthy. A new cluster starts all members at once
 * with the full member list; an existing cluster whose stack has a join hook grows one member at a
 * time (hook, release, wait until it serves). Each step is idempotent, so a resumed attempt can
 * run it again.
 */
import { type InstanceStatus } from '@wharf/model';
import { type SpecCluster } from '../core/allocate';
import { type ResourceChanges } from '../core/changes';
import {
  clusterTokenOf,
  isRunningAt,
  memberEndpoint,
  memberList,
  placementOf,
  reservedStatuses,
  runningNow,
} from '../core/instances';
import { joinMembers, remainingMembers } from '../core/membership';
import { evictions } from '../core/moves';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { runHook, runLeaveHook } from './hooks';
import { removalDeadline } from './step-leave';
import { releaseSpec } from './spec-writes';

/** Releases the holds once every new instance reported its ports (see the file comment). */
export async function startInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const created = createdIds(ctx);
  await ctx.log('waiting for ports to be reserved', { count: created.length });
  const statuses = await ctx.waitFor((o) => reservedStatuses(created, o.statuses));
  for (const r of ctx.changes.resources) {
    if (r.create.length === 0) continue;
    const token = clusterTokenOf(ctx.state.tokens, ctx.deploymentId, r.ref_id);
    const pack = ctx.deps.stacks(r.kind);
    if (r.cluster.state === 'new' || !pack?.beforeJoin) await releaseAll(ctx, r, token, statuses);
    else await growOneByOne(ctx, r, token, statuses);
  }
  return 'success';
}

/** Waits until every new instance runs healthy at its released generation. */
export async function waitUntilRunning(ctx: AttemptContext): Promise<StepOutcome> {
  const created = createdIds(ctx);
  await ctx.log('waiting for instances to run healthy', { count: created.length });
  await ctx.waitFor((o) => (created.every((id) => runningNow(id, o.specs, o.statuses)) ? true : undefined));
  await ctx.log('instances running', { count: created.length });
  return 'success';
}

/** Releases every new member of `r` at once, each given the full member list. */
async function releaseAll(
  ctx: AttemptContext,
  r: ResourceChanges,
  token: string,
  statuses: ReadonlyMap<string, InstanceStatus>,
): Promise<void> {
  const members = [
    ...memberList(
      ctx.observed().statuses,
      r.keep.map((k) => k.instance_id),
    ),
    ...r.create.map((c) => memberEndpoint(c.instance_id, statuses.get(c.instance_id)!)),
  ];
  // A new cluster's members start together: their releases are independent writes, pipelined.
  await Promise.all(
    r.create.map((c) => {
      const allocator = placementOf(ctx.state.placements, c.instance_id).allocator_id;
      const cluster: SpecCluster = { token, state: r.cluster.state, members };
      return releaseSpec(ctx.deps.zk, allocator, c.instance_id, cluster, ctx.createdSpecs.get(c.instance_id));
    }),
  );
  await ctx.log('instances released', { ref_id: r.ref_id, cluster: r.cluster.state, count: r.create.length });
}

/** Adds the members of `r` one at a time: hook against the healthy members, release, wait. */
async function growOneByOne(
  ctx: AttemptContext,
  r: ResourceChanges,
  token: string,
  statuses: ReadonlyMap<string, InstanceStatus>,
): Promise<void> {
  const pack = ctx.deps.stacks(r.kind)!;
  await evictDeadMembers(ctx, r);
  for (const [index, c] of r.create.entries()) {
    await ctx.checkpoint();
    const placement = placementOf(ctx.state.placements, c.instance_id);
    const { members, healthy } = joinMembers(r, index, ctx.observed().statuses, ctx.state.left);
    const joining = memberEndpoint(c.instance_id, statuses.get(c.instance_id)!);
    const spec = ctx.observed().specs.get(c.instance_id);
    if (!spec || spec.hold) {
      ctx.state.joining = c.instance_id;
      await ctx.log('member joining', { instance: c.instance_id, members: members.length });
      await runHook(ctx, 'beforeJoin', () =>
        pack.beforeJoin!({
          deploymentId: ctx.deploymentId,
          refId: r.ref_id,
          members: healthy,
          joining,
          signal: ctx.signal,
        }),
      );
    }
    const cluster: SpecCluster = { token, state: 'existing', members: [...members, joining] };
    const released = await releaseSpec(ctx.deps.zk, placement.allocator_id, c.instance_id, cluster);
    await ctx.waitFor((o) =>
      isRunningAt(o.statuses.get(c.instance_id), released.generation) ? true : undefined,
    );
    await ctx.log('member joined', { instance: c.instance_id });
  }
}

/**
 * Members on allocators that are not live leave before anyone joins (see `evictions` in
 * `core/moves.ts`), one at a time, recorded in `state.left` so `leave-cluster` skips them.
 */
async function evictDeadMembers(ctx: AttemptContext, r: ResourceChanges): Promise<void> {
  const pack = ctx.deps.stacks(r.kind);
  if (!pack?.beforeLeave) return;
  ctx.state.left ??= [];
  for (const dead of evictions(r, ctx.deps.allocatorPresence, ctx.state.left)) {
    await ctx.checkpoint();
    const statuses = ctx.observed().statuses;
    const status = statuses.get(dead.instance_id);
    if (status) {
      const members = remainingMembers(r, dead.instance_id, ctx.state.left, statuses).filter(
        (m) => !r.create.some((c) => c.instance_id === m.name),
      );
      const leaving = memberEndpoint(dead.instance_id, status);
      await runLeaveHook(ctx, pack, { r, members, leaving }, removalDeadline(ctx));
    }
    ctx.state.left.push(dead.instance_id);
    await ctx.log('dead member removed before the join', {
      instance: dead.instance_id,
      allocator: dead.allocator_id,
    });
  }
}

function createdIds(ctx: AttemptContext): string[] {
  return ctx.changes.resources.flatMap((r) => r.create.map((c) => c.instance_id));
}
