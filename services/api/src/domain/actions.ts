/**
 * Deployment and instance actions (`_shutdown`, `_start`, `instances/{ids}/_stop|_start`): the
 * pending plan each writes and the checks before it. Pure. An action plan is the current plan
 * unchanged with a new `stopped` block (`core/actions.ts` in the constructor applies it).
 */
import {
  WharfError,
  isValidId,
  type InstanceSpec,
  type PlanDocument,
  type PlanStopped,
  type Resources,
} from '@wharf/model';
import { newPlan } from './plans';

/** Most instance ids one action names (as many as a plan may stop). */
export const MAX_ACTION_INSTANCES = 256;

/** Actions on a deployment or on its instances. */
export type DeploymentAction = 'shutdown' | 'start' | 'stop-instances' | 'start-instances' | 'restore';

/** True when the plan shuts the whole deployment down. */
export function isShutDown(plan: Pick<PlanDocument, 'stopped'> | undefined): boolean {
  return plan?.stopped?.all === true;
}

/** Ids of instances listed as stopped by `plan` (not counting `all`). */
export function stoppedIds(plan: Pick<PlanDocument, 'stopped'> | undefined): string[] {
  return plan?.stopped?.instances ?? [];
}

/**
 * The `{instance_ids}` path segment: comma-separated instance ids, each valid, none repeated.
 * 400 naming `instance_ids` otherwise.
 */
export function parseInstanceIds(raw: string | undefined): string[] {
  const ids = (raw ?? '').split(',');
  const bad = (message: string) =>
    new WharfError('WHARF_BAD_REQUEST', `instance_ids: ${message}`, {
      details: [{ path: 'instance_ids', message }],
    });
  if (ids.length > MAX_ACTION_INSTANCES) throw bad(`at most ${MAX_ACTION_INSTANCES} ids`);
  // findIndex: a negated type guard in find() would narrow the result to never.
  const invalid = ids.findIndex((id) => !isValidId(id));
  if (invalid >= 0) throw bad(`'${(ids[invalid] ?? '').slice(0, 80)}' is not an instance id`);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw bad(`'${repeated}' is listed twice`);
  return ids;
}

/** 404 naming the first listed id that is not an instance of the deployment. */
export function checkKnownInstances(
  deploymentId: string,
  ids: readonly string[],
  specs: readonly InstanceSpec[],
): void {
  const unknown = ids.find((id) => !specs.some((s) => s.instance_id === id));
  if (unknown === undefined) return;
  throw new WharfError('WHARF_NOT_FOUND', `deployment ${deploymentId} has no instance ${unknown}`, {
    details: [{ path: 'instance_ids', message: `no instance ${unknown} in deployment ${deploymentId}` }],
  });
}

/**
 * Refuses a stop that would leave an etcd resource without a running majority of its members
 * (it could not serve reads or writes until they are started again), unless `force`. Stacks
 * without consensus (`http`) may stop any instance.
 */
export function checkQuorum(
  specs: readonly InstanceSpec[],
  stoppedAfter: ReadonlySet<string>,
  force: boolean,
): void {
  if (force) return;
  const refs = new Set(specs.filter((s) => s.stack === 'etcd').map((s) => s.ref_id));
  for (const ref of refs) {
    const members = specs.filter((s) => s.stack === 'etcd' && s.ref_id === ref);
    const running = members.filter((s) => !stoppedAfter.has(s.instance_id)).length;
    const quorum = Math.floor(members.length / 2) + 1;
    if (running >= quorum) continue;
    const message = `would leave etcd resource '${ref}' with ${running} of ${members.length} members running (quorum: ${quorum}); add ?force=true to stop them anyway`;
    throw new WharfError('WHARF_IN_USE', message, { details: [{ path: 'instance_ids', message }] });
  }
}

/** The `stopped` block after an action (undefined: nothing stopped). */
export function stoppedAfter(
  base: PlanDocument,
  action: DeploymentAction,
  ids: readonly string[] = [],
): PlanStopped | undefined {
  const listed = new Set(stoppedIds(base));
  if (action === 'shutdown') return { all: true, ...(listed.size > 0 ? { instances: [...listed] } : {}) };
  if (action === 'start') return undefined;
  for (const id of ids) {
    if (action === 'stop-instances') listed.add(id);
    else listed.delete(id);
  }
  return listed.size > 0 ? { instances: [...listed].sort() } : undefined;
}

/** The pending plan of an action: the base plan's resources with the new `stopped` block. */
export function actionPlan(
  base: PlanDocument,
  action: DeploymentAction,
  stopped: PlanStopped | undefined,
  now: Date,
): PlanDocument {
  const plan = newPlan(base.deployment_id, base.resources as Resources, action, now);
  return stopped === undefined ? plan : { ...plan, stopped };
}

/**
 * A plan written by PUT or `_restart` keeps the instances stopped that its base plan stopped
 * (only a `_start` starts them).
 */
export function keepStopped(
  plan: PlanDocument,
  base: Pick<PlanDocument, 'stopped'> | undefined,
): PlanDocument {
  return base?.stopped === undefined ? plan : { ...plan, stopped: base.stopped };
}

/** PUT is refused while the deployment is shut down: `_start` it first (409 naming `id`). */
export function checkNotShutDown(id: string, base: Pick<PlanDocument, 'stopped'> | undefined): void {
  if (!isShutDown(base)) return;
  const message = `deployment ${id} is shut down; start it with _start first`;
  throw new WharfError('WHARF_CONFLICT', message, { details: [{ path: 'id', message }] });
}

/**
 * `_restart` of a deployment with stopped instances: a shut-down deployment is started (its
 * instances run again on their data: replacing them would start empty members); individually
 * stopped instances are refused (409 naming them). Undefined: nothing is stopped, restart as usual.
 */
export function restartOfStopped(base: PlanDocument | undefined, now: Date): PlanDocument | undefined {
  if (base === undefined) return undefined;
  if (isShutDown(base)) return actionPlan(base, 'start', undefined, now);
  const stopped = stoppedIds(base);
  if (stopped.length === 0) return undefined;
  const message = `instances ${stopped.join(', ')} are stopped; start them with instances/{ids}/_start first`;
  throw new WharfError('WHARF_CONFLICT', message, { details: [{ path: 'instance_ids', message }] });
}

/** A settled (`running`) deployment whose current plan shuts it down shows as `stopped`. */
export function withShutDown<S extends string>(
  status: S,
  current: Pick<PlanDocument, 'stopped'> | undefined,
): S | 'stopped' {
  return status === 'running' && isShutDown(current) ? 'stopped' : status;
}
