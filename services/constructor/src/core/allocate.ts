/**
 * `allocate-instances`, decided: placement requests for the instances the change set creates
 * (constraints from their instance configurations, peers of the same topology element), and the
 * held specs to write once they are placed. Pure.
 */
import { SCHEMA_VERSION, type InstanceSpec } from '@wharf/model';
import { type ChangeSet, type NewInstance, type ResourceChanges } from './changes';
import { clusterTokenOf, placementOf } from './instances';
import { type Placement, type PlacementRequest } from './place';
import { iso } from './step-log';
import { configurationFor, type ConfigurationsById } from './validate-plan';

/** The cluster block of a spec. */
export type SpecCluster = InstanceSpec['cluster'];

/** One placement request per instance to create, in change-set order. */
export function placementRequests(
  changes: ChangeSet,
  deploymentId: string,
  configurations: ConfigurationsById,
): PlacementRequest[] {
  return changes.resources.flatMap((r) =>
    r.create.map((c) => placementRequest(r, c, deploymentId, configurations)),
  );
}

function placementRequest(
  r: ResourceChanges,
  c: NewInstance,
  deploymentId: string,
  configurations: ConfigurationsById,
): PlacementRequest {
  const ic = configurationFor(configurations, c);
  return {
    instance_id: c.instance_id,
    deployment_id: deploymentId,
    ref_id: c.ref_id,
    topology_id: c.topology_id,
    memory_mb: c.memory_mb,
    constraints: {
      ...(ic.allowed_zones ? { allowed_zones: ic.allowed_zones } : {}),
      ...(ic.allocator_filter ? { allocator_filter: ic.allocator_filter } : {}),
      ...(ic.cpu_multiplier !== undefined ? { cpu_multiplier: ic.cpu_multiplier } : {}),
    },
    peers: r.keep.filter((k) => k.topology_id === c.topology_id).map((k) => k.instance_id),
  };
}

/** The step log line of a placement. */
export function placementSummary(placements: readonly Placement[]): string {
  return placements.map((p) => `${p.instance_id}@${p.allocator_id}/${p.zone}`).join(', ');
}

/** What the held specs of an attempt are stamped with. */
export interface HeldSpecsContext {
  deploymentId: string;
  attemptId: string;
  tokens: Readonly<Record<string, string>> | undefined;
  nowMs: number;
}

/** The held spec of every instance the change set creates, at its recorded placement. */
export function heldSpecs(
  changes: ChangeSet,
  placements: readonly Placement[],
  configurations: ConfigurationsById,
  context: HeldSpecsContext,
): InstanceSpec[] {
  return changes.resources.flatMap((r) =>
    r.create.map((c) => {
      const ic = configurationFor(configurations, c);
      const token = clusterTokenOf(context.tokens, context.deploymentId, r.ref_id);
      return buildSpec(
        c,
        placementOf(placements, c.instance_id),
        { token, state: r.cluster.state, members: [] },
        context.attemptId,
        context.deploymentId,
        context.nowMs,
        ic.storage_multiplier,
      );
    }),
  );
}

/** A new, held spec for a placed instance. */
export function buildSpec(
  instance: NewInstance,
  placement: Placement,
  cluster: SpecCluster,
  attemptId: string,
  deploymentId: string,
  nowMs: number,
  storageMultiplier?: number,
): InstanceSpec {
  return {
    schema_version: SCHEMA_VERSION,
    instance_id: instance.instance_id,
    deployment_id: deploymentId,
    ref_id: instance.ref_id,
    topology_id: instance.topology_id,
    stack: instance.kind,
    version: instance.version,
    allocator_id: placement.allocator_id,
    zone: placement.zone,
    memory_mb: instance.memory_mb,
    ...(storageMultiplier !== undefined
      ? { disk_mb: Math.round(instance.memory_mb * storageMultiplier) }
      : {}),
    ...(instance.settings ? { settings: instance.settings } : {}),
    hold: true,
    cluster,
    plan_attempt_id: attemptId,
    generation: 1,
    created: iso(nowMs),
  };
}
