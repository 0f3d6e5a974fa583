/**
 * `update-routing`: routes the deployment to its kept and new instances, the removed ones listed
 * as draining (`apply/drain.ts`).
 */
import { drainingMembers, targetMembers } from '../core/route-members';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { drainRoute } from './drain';

/**
 * Routes the deployment to its kept and new instances (healthy ones routable); the instances the
 * attempt removes stay listed as draining until `remove-instances` (they stop after it).
 */
export async function updateRouting(ctx: AttemptContext): Promise<StepOutcome> {
  await drainRoute(ctx, targetMembers(ctx.changes, ctx.state.placements), drainingMembers(ctx.changes));
  return 'success';
}
