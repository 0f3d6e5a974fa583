/**
 * Pure construction of the documents the api writes: deployment records and pending plans for
 * create, update and delete, plus the checks that need more than the schema (stack versions).
 */
import { randomUUID } from 'node:crypto';
import {
  STACK_KINDS,
  listResources,
  stackBlockOf,
  type Deployment,
  type DeploymentCreateRequest,
  type DeploymentUpdateRequest,
  type PlanDocument,
  type Resources,
  type StackKind,
  type ValidationIssue,
} from '@wharf/model';

/** Versions a stack pack supports; undefined when the kind is unknown to it. */
export type SupportedVersions = (kind: StackKind) => readonly string[] | undefined;

/** Issues for resources whose stack version is not supported (path names the version field). */
export function checkStackVersions(resources: Resources, supported: SupportedVersions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const index: Partial<Record<StackKind, number>> = {};
  for (const resource of listResources(resources)) {
    const i = index[resource.kind] ?? 0;
    index[resource.kind] = i + 1;
    const versions = supported(resource.kind);
    const { version } = stackBlockOf(resource);
    if (versions === undefined || !versions.includes(version)) {
      const known = versions && versions.length > 0 ? versions.join(', ') : 'none';
      issues.push({
        path: `resources.${resource.kind}[${i}].plan.${resource.kind}.version`,
        message: `unsupported ${resource.kind} version '${version}' (supported: ${known})`,
      });
    }
  }
  return issues;
}

/** Issues for two resources of one deployment sharing a ref_id (instance ids would collide). */
export function checkUniqueRefIds(resources: Resources): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  const index: Partial<Record<StackKind, number>> = {};
  for (const resource of listResources(resources)) {
    const i = index[resource.kind] ?? 0;
    index[resource.kind] = i + 1;
    if (seen.has(resource.ref_id)) {
      issues.push({ path: `resources.${resource.kind}[${i}].ref_id`, message: 'duplicate ref_id' });
    }
    seen.add(resource.ref_id);
  }
  return issues;
}

/** A new pending plan. */
export function newPlan(
  deploymentId: string,
  resources: PlanDocument['resources'],
  action: PlanDocument['source']['action'],
  now: Date,
  requestId?: string,
): PlanDocument {
  return {
    schema_version: 1,
    plan_id: randomUUID(),
    deployment_id: deploymentId,
    created: now.toISOString(),
    source: requestId === undefined ? { action } : { action, request_id: requestId },
    resources,
    ...(action === 'delete' ? { shutdown: true } : {}),
  };
}

/** The record of a new deployment. */
export function newDeployment(
  id: string,
  request: DeploymentCreateRequest,
  now: Date,
  owner: string | undefined,
  requestId: string | undefined,
): Deployment {
  const at = now.toISOString();
  return {
    schema_version: 1,
    id,
    name: request.name,
    created: at,
    updated: at,
    ...(owner === undefined ? {} : { owner }),
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
  };
}

/** The record after an update request: name and metadata replaced when given. */
export function updatedDeployment(
  previous: Deployment,
  request: DeploymentUpdateRequest,
  now: Date,
): Deployment {
  return {
    ...previous,
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    updated: now.toISOString(),
  };
}

/**
 * The resources a PUT asks for. With `prune_orphans: true` the request is the whole desired
 * state; otherwise (ECE's safe reading) resources of the base plan that the request does not
 * mention are kept, so leaving one out never deletes it by accident.
 */
export function desiredResources(
  request: DeploymentUpdateRequest,
  base: PlanDocument['resources'] | undefined,
): Resources {
  if (request.prune_orphans === true || base === undefined) return request.resources;
  const baseResources = base as Resources;
  const out: Record<string, unknown[]> = {};
  for (const kind of STACK_KINDS) {
    const asked = (request.resources[kind] ?? []) as Array<{ ref_id: string }>;
    const askedIds = new Set(asked.map((r) => r.ref_id));
    const kept = ((baseResources[kind] ?? []) as Array<{ ref_id: string }>).filter(
      (r) => !askedIds.has(r.ref_id),
    );
    const all = [...asked, ...kept];
    if (all.length > 0) out[kind] = all;
  }
  return out as Resources;
}

/** `group_by` values of a rolling restart (ECE's `rolling.group_by`). */
export const RESTART_GROUP_BY = ['__all__', '__name__', 'logical_zone_name'] as const;
/** A rolling restart's grouping. */
export type RestartGroupBy = (typeof RESTART_GROUP_BY)[number];

/**
 * The resources of a rolling restart: the plan unchanged, applied with `rolling{group_by}` and
 * `plan_configuration.reallocate_instances`, so the constructor replaces every instance one group
 * at a time (a stateful member's replacement joins before the next group starts).
 */
export function restartResources(base: PlanDocument['resources'], groupBy: RestartGroupBy): Resources {
  const resources = base as Resources;
  const out: Record<string, unknown[]> = {};
  for (const kind of STACK_KINDS) {
    const list = resources[kind];
    if (!list) continue;
    out[kind] = list.map((r) => ({
      ...r,
      plan: {
        ...r.plan,
        transient: {
          ...r.plan.transient,
          strategy: { rolling: { group_by: groupBy } },
          plan_configuration: { ...r.plan.transient?.plan_configuration, reallocate_instances: true },
        },
      },
    }));
  }
  return out as Resources;
}
