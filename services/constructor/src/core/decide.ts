/**
 * What the leader should do for one deployment, from the cached view. Pure. The cache can lag
 * behind the leader's own writes, so the task this picks always re-reads ZooKeeper first and
 * does nothing when the fresh state disagrees.
 */
import { type DeploymentView } from './observed';
import { isActive } from './step-log';

/** Work for one deployment: drive its attempt, or finish deleting a shut-down deployment. */
export type DeploymentWork = 'attempt' | 'delete';

/** Decides the work a deployment needs, if any. */
export function decideWork(v: DeploymentView): DeploymentWork | undefined {
  const { attempt, pending, deployment } = v;
  if (attempt && isActive(attempt)) return 'attempt';
  // A finished attempt for the same plan: the cache has not seen pending's deletion yet, or a
  // shutdown was interrupted while deleting the subtree.
  const finishedSamePlan =
    pending !== undefined && attempt !== undefined && attempt.plan_id === pending.plan_id;
  if (pending && !finishedSamePlan) return 'attempt';
  if (deployment?.deleting !== true) return undefined;
  if (!pending) return 'delete';
  return pending.shutdown === true && attempt?.status === 'success' ? 'delete' : undefined;
}
