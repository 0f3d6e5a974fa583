/**
 * `allocate-instances`: places the group's new instances once (the placements are saved in the attempt
 * before any spec is written, so a resumed attempt never places twice) and writes their held
 * specs. Placement is serialised across attempts: each sees the specs the previous one wrote.
 */
import { heldSpecs, placementRequests, placementSummary } from '../core/allocate';
import { placeMoves } from '../core/moves';
import { place } from '../core/place';
import { type StepOutcome } from '../core/step-log';
import { configurationIds } from '../core/validate-plan';
import { type AttemptContext } from './attempt-context';
import { readConfigurations, readSpecs } from './reads';
import { createSpecs } from './spec-writes';

/** Places the new instances (once; the placements are saved before any spec is written) and writes held specs. */
export async function allocateInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const { zk, logger, metrics, placementLock } = ctx.deps;
  await placementLock.run(async () => {
    await ctx.checkpoint();
    const configurations = await readConfigurations(zk, configurationIds(ctx.changes));
    const placed = new Set((ctx.state.placements ?? []).map((p) => p.instance_id));
    const requests = placementRequests(ctx.changes, ctx.deploymentId, configurations).filter(
      (r) => !placed.has(r.instance_id),
    );
    // Placed once per group (a rolling attempt places each group when it starts).
    if (!ctx.state.placements || requests.length > 0) {
      const all = await readSpecs(zk, logger);
      const allocators = [...ctx.observed().allocators.values()];
      const move = ctx.state.plan.move;
      const result = move
        ? placeMoves(requests, allocators, all.specs, ctx.changes, move)
        : place(requests, allocators, all.specs);
      if (!result.ok) {
        metrics.noCapacity.inc();
        throw result.error;
      }
      ctx.state.placements = [...(ctx.state.placements ?? []), ...result.placements];
      await ctx.log('instances placed', { placements: placementSummary(result.placements) });
    }
    const specs = heldSpecs(ctx.changes, ctx.state.placements, configurations, {
      deploymentId: ctx.deploymentId,
      attemptId: ctx.attempt.plan_attempt_id,
      tokens: ctx.state.tokens,
      nowMs: ctx.now(),
    });
    const created = await createSpecs(zk, specs);
    if (created > 0) await ctx.log('held instance specs written', { count: created });
  });
  return 'success';
}
