/**
 * `allocate-instances`: places the group's new instances once (the placements are saved in the attempt
 * before any spec is written, so a resumed attempt never places twice) and writes their held
 * specs. Placement reads the leader's incremental index (cache + ledger of its own writes), never
 * ZooKeeper: deciding and reserving is one synchronous section, so attempts placing at the same
 * time each see what the others reserved, without a lock held across round trips.
 */
import { type InstanceSpec } from '@wharf/model';
import { heldSpecs, placementRequests, placementSummary } from '../core/allocate';
import { placeMoves } from '../core/moves';
import { place } from '../core/place';
import { type StepOutcome } from '../core/step-log';
import { configurationIds } from '../core/validate-plan';
import { type AttemptContext } from './attempt-context';
import { configurationsFor } from './reads';
import { createSpecs } from './spec-writes';

/** Places the new instances (once; the placements are saved before any spec is written) and writes held specs. */
export async function allocateInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const { zk, metrics, index } = ctx.deps;
  const ids = configurationIds(ctx.changes);
  // The ones validate-plan-safety read a moment ago, when it ran in this process (taken once).
  const read = ctx.configurations;
  ctx.configurations = undefined;
  const configurations =
    read && ids.every((id) => read.has(id))
      ? read
      : await configurationsFor(zk, ids, ctx.deps.cachedConfigurations);
  await ctx.checkpoint();
  const placed = new Set((ctx.state.placements ?? []).map((p) => p.instance_id));
  const requests = placementRequests(ctx.changes, ctx.deploymentId, configurations).filter(
    (r) => !placed.has(r.instance_id),
  );
  // Placed once per group (a rolling attempt places each group when it starts).
  const fresh = !ctx.state.placements || requests.length > 0;
  if (fresh) {
    const allocators = [...ctx.observed().allocators.values()];
    const move = ctx.state.plan.move;
    const result = move
      ? placeMoves(requests, allocators, [...index.all()], ctx.changes, move)
      : place(requests, allocators, index);
    if (!result.ok) {
      metrics.noCapacity.inc();
      throw result.error;
    }
    ctx.state.placements = [...(ctx.state.placements ?? []), ...result.placements];
  }
  const specs = heldSpecs(ctx.changes, ctx.state.placements ?? [], configurations, {
    deploymentId: ctx.deploymentId,
    attemptId: ctx.attempt.plan_attempt_id,
    tokens: ctx.state.tokens,
    nowMs: ctx.now(),
  });
  // Reserved in the ledger before the first await: the next placement counts them.
  const reserved = specs.filter((s) => index.spec(s.instance_id) === undefined);
  const allocators = ctx.observed().allocators;
  const unseen = reserved.length === specs.length && specs.every((s) => allocators.has(s.allocator_id));
  index.recordCreated(reserved);
  try {
    if (fresh)
      await ctx.log('instances placed', { placements: placementSummary(ctx.state.placements ?? []) });
    await writeHeld(ctx, specs, unseen);
  } catch (err) {
    index.forgetCreated(reserved.map((s) => s.instance_id));
    throw err;
  }
  return 'success';
}

async function writeHeld(
  ctx: AttemptContext,
  specs: readonly InstanceSpec[],
  unseen: boolean,
): Promise<void> {
  const created = await createSpecs(ctx.deps.zk, specs, unseen);
  for (const spec of created) ctx.createdSpecs.set(spec.instance_id, spec);
  if (created.length > 0) await ctx.log('held instance specs written', { count: created.length });
}
