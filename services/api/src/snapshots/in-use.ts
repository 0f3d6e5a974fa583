/**
 * Which snapshots a restore is using now, so neither `DELETE …/snapshots/{s}` nor retention
 * removes a file a restore is about to read: the `restore` block of the deployment's pending plan
 * (an in-place `_restore`, or a recovery that rebuilds from a snapshot; the plan stays pending
 * until its attempt completes) and every `pending` restore into a new deployment
 * (`/restores/<new id>`, `restore_from`) whose source is this deployment.
 */
import { isWharfError } from '@wharf/model';
import { type ZkSession } from '@wharf/zk';
import { type DeploymentStore } from '../store/types';
import { RESTORES_ROOT, type RestoreRecord } from './restore';

/** The ids of `deploymentId`'s snapshots that an unfinished restore references. */
export async function snapshotsInUse(
  zk: ZkSession,
  deployments: DeploymentStore,
  deploymentId: string,
): Promise<Set<string>> {
  const used = new Set<string>();
  const plans = await deployments.plans(deploymentId).catch(notFoundAsNone);
  const pending = plans?.pending?.value;
  if (pending?.restore !== undefined) used.add(pending.restore.snapshot);
  // The running attempt keeps its plan in its state (read in case the pending plan went first).
  const attempt = plans?.attempt;
  const running =
    attempt?.status === 'running' || attempt?.status === 'rolling_back' ? attempt.state : undefined;
  const inState = (running as { plan?: { restore?: { snapshot?: unknown } } } | undefined)?.plan?.restore;
  if (typeof inState?.snapshot === 'string') used.add(inState.snapshot);
  let names: string[] = [];
  try {
    names = await zk.children(RESTORES_ROOT);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
  }
  for (const name of names) {
    const restore = await zk.getJson<RestoreRecord>(`${RESTORES_ROOT}/${name}`).catch(notFoundAsNone);
    const doc = restore?.value;
    if (doc?.status === 'pending' && doc.from?.deployment === deploymentId) used.add(doc.from.snapshot);
  }
  return used;
}

/** A znode (or deployment) deleted meanwhile reads as absent. */
function notFoundAsNone(err: unknown): undefined {
  if (isWharfError(err, 'WHARF_ZK_NO_NODE', 'WHARF_NOT_FOUND')) return undefined;
  throw err;
}
