/**
 * Finishes deleting a shut-down deployment whose subtree deletion was interrupted (a leader
 * crashed between the shutdown attempt's success and the end of the recursive delete). Decided
 * from fresh reads, never from the cache alone.
 */
import { isWharfError, paths } from '@wharf/model';
import { decideWork } from '../core/decide';
import { documentsOf } from '../io/documents';
import { type RunResult } from './attempt-runner';
import { deleteDeploymentTree } from './complete';
import { type RunnerDeps } from './runner-deps';
import { ofDeployment, readSpecs } from './reads';
import { deleteRoute } from './route-writer';
import { deleteSpec } from './spec-writes';

/** Deletes the route and `/deployments/<d>` when the fresh state says the shutdown is done. */
export async function finishDeletion(deps: RunnerDeps, d: string): Promise<RunResult> {
  const docs = documentsOf(deps.zk, deps.logger);
  try {
    const deployment = await docs.read('deployment', paths.deployment(d));
    const pending = await docs.read('plan', paths.planPending(d));
    const attempt = await docs.read('plan-attempt', paths.planAttempt(d));
    const work = decideWork({
      id: d,
      ...(deployment ? { deployment: deployment.value } : {}),
      ...(pending ? { pending: pending.value } : {}),
      ...(attempt ? { attempt: attempt.value } : {}),
    });
    if (work !== 'delete') return 'idle';
  } catch (err) {
    if (isWharfError(err, 'WHARF_VALIDATION')) return 'idle';
    throw err;
  }
  await deleteRoute(deps.zk, d);
  // Instances left behind (a shutdown that ended in error) go too: the record is about to vanish.
  const { specs } = await readSpecs(deps.zk, deps.logger, ofDeployment(d));
  for (const s of specs.filter((x) => x.deployment_id === d))
    await deleteSpec(deps.zk, deps.index, s.allocator_id, s.instance_id);
  await deleteDeploymentTree({ deps, deploymentId: d });
  deps.logger.info('deleted deployment finished', { deployment: d });
  return 'completed';
}
