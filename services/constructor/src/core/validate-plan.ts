/**
 * `validate-plan-safety`, decided: the change set from the current plan, the pending plan and the
 * specs read fresh, then the checks that need the stack packs and instance configurations
 * (read by the applier and passed in). Pure.
 */
import {
  FAILURE_TYPES,
  type InstanceConfiguration,
  type InstanceSpec,
  type PlanDocument,
  type StackKind,
} from '@wharf/model';
import { planChanges, type ChangeSet, type NewInstance, type ResourceChanges } from './changes';
import { attemptFailure } from './failure';

/** Instance configurations by id, as read (undefined: neither stored nor built in). */
export type ConfigurationsById = ReadonlyMap<string, InstanceConfiguration | undefined>;

/** What {@link computeChanges} decides from. */
export interface ComputeChangesInput {
  deploymentId: string;
  plan: PlanDocument;
  current: PlanDocument | null;
  /** The deployment's specs, read fresh (not from a cache that may lag). */
  specs: readonly InstanceSpec[];
  /** Instance ids that still have a status (their ids must not be reused). */
  statusIds: readonly string[];
}

/** The change set of the pending plan; throws an attempt failure for a plan that cannot apply. */
export function computeChanges(input: ComputeChangesInput): ChangeSet {
  checkPlanDeployment(input.plan, input.deploymentId);
  const result = planChanges(input.current, input.plan, [...input.specs], {
    reservedIds: [...input.statusIds],
    ...(input.plan.move ? { move: input.plan.move.instances } : {}),
  });
  if (!result.ok) throw result.error;
  return result.changes;
}

/** Throws unless the plan names the deployment it is pending for. */
export function checkPlanDeployment(plan: PlanDocument, deploymentId: string): void {
  if (plan.deployment_id !== deploymentId) {
    throw invalidPlan(`the pending plan names deployment '${plan.deployment_id}'`, {
      deployment_id: deploymentId,
    });
  }
}

/** Instance configuration ids of every instance the change set creates. */
export function configurationIds(changes: ChangeSet): string[] {
  return [...new Set(changes.resources.flatMap((r) => r.create.map((c) => c.instance_configuration_id)))];
}

/** Throws for a resource without a stack pack or an instance with an unusable configuration. */
export function checkChanges(
  changes: ChangeSet,
  hasStack: (kind: StackKind) => boolean,
  configurations: ConfigurationsById,
): void {
  for (const r of changes.resources) {
    // A resource that goes away entirely needs nothing from its pack (no route, no hooks).
    if (!r.dissolve && !hasStack(r.kind))
      throw invalidPlan(`no stack pack for stack '${r.kind}'`, { stack: r.kind });
    for (const c of r.create) configurationFor(configurations, c);
  }
}

/** The instance configuration of a new instance; throws when unknown or for another stack. */
export function configurationFor(configurations: ConfigurationsById, c: NewInstance): InstanceConfiguration {
  const ic = configurations.get(c.instance_configuration_id);
  if (!ic)
    throw invalidPlan(`unknown instance configuration '${c.instance_configuration_id}'`, {
      id: c.instance_configuration_id,
    });
  if (ic.stack !== c.kind) {
    throw invalidPlan(`instance configuration '${ic.id}' is for stack '${ic.stack}', not '${c.kind}'`, {
      id: ic.id,
    });
  }
  return ic;
}

/** Cluster tokens of the resources that create instances: an existing cluster keeps its own. */
export function clusterTokens(
  changes: ChangeSet,
  deploymentId: string,
  attemptId: string,
): Record<string, string> {
  return Object.fromEntries(
    changes.resources
      .filter((r) => r.create.length > 0)
      .map((r) => [
        r.ref_id,
        r.cluster.state === 'existing'
          ? r.cluster.token
          : `${deploymentId}-${r.ref_id}-${attemptId.slice(0, 8)}`,
      ]),
  );
}

/** The step log line of a computed change set. */
export function changeSummary(changes: ChangeSet): Record<string, string | number> {
  return {
    steps: changes.steps.join(','),
    keep: count(changes.resources, 'keep'),
    create: count(changes.resources, 'create'),
    remove: count(changes.resources, 'remove'),
  };
}

/** An attempt failure for a plan that cannot be applied. */
export function invalidPlan(message: string, details: Record<string, unknown>): Error {
  return attemptFailure('WHARF_PLAN_INVALID', FAILURE_TYPES.invalidPlan, message, details);
}

function count(resources: readonly ResourceChanges[], bucket: 'keep' | 'create' | 'remove'): number {
  return resources.reduce((n, r) => n + r[bucket].length, 0);
}
