/**
 * Checks of a deployment request that a JSON Schema cannot say plainly: a deployment runs at least
 * one resource with at least one instance. (`{"resources":{"etcd":[]}}` satisfies every per-field
 * rule and would create a deployment with nothing in it.) Pure; run by `validateDocument` after
 * the schema passed.
 */
import type { Resources } from './schemas/plan';

/** One problem, shaped like the validator's `ValidationIssue` (not imported: no cycle). */
interface Issue {
  path: string;
  message: string;
}

/** Instances a resource plan asks for: the sum of its topology elements' zone counts. */
function instanceCount(resource: { plan: { cluster_topology: readonly { zone_count: number }[] } }): number {
  return resource.plan.cluster_topology.reduce((sum, element) => sum + element.zone_count, 0);
}

/** Issues with `resources` as a whole (empty when it holds at least one resource with an instance). */
export function resourcesIssues(resources: Resources): Issue[] {
  const all = [...(resources.etcd ?? []), ...(resources.http ?? [])];
  if (all.length === 0) {
    return [{ path: 'resources', message: 'must hold at least one resource (e.g. one etcd resource)' }];
  }
  // The schema's minimums (one topology element, zone_count ≥ 1) make this hold today; it is
  // checked here so that relaxing either never lets an instance-less resource through.
  if (!all.some((resource) => instanceCount(resource) > 0)) {
    return [{ path: 'resources', message: 'must ask for at least one instance' }];
  }
  return [];
}
