/**
 * Instances as the attempt steps judge them: member endpoints from statuses, "running at a
 * generation", reserved ports, failed instances and recorded placements. Pure.
 */
import { FAILURE_TYPES, type InstanceSpec, type InstanceStatus, type MemberEndpoint } from '@wharf/model';
import { attemptFailure } from './failure';
import { type Placement } from './place';

/** A cluster member as stack packs see it, from the instance's status. */
export function memberEndpoint(instanceId: string, status: InstanceStatus): MemberEndpoint {
  return { name: instanceId, host: status.host, ports: status.ports };
}

/** True when the allocator runs the instance, healthy, at (at least) `generation`. */
export function isRunningAt(status: InstanceStatus | undefined, generation: number): boolean {
  return (
    status !== undefined && status.state === 'running' && status.healthy && status.generation >= generation
  );
}

/** Endpoints of the listed instances that have a status (members without one cannot be addressed). */
export function memberList(
  statuses: ReadonlyMap<string, InstanceStatus>,
  ids: readonly string[],
): MemberEndpoint[] {
  return ids.flatMap((id) => {
    const status = statuses.get(id);
    return status ? [memberEndpoint(id, status)] : [];
  });
}

/** Every listed instance's status once all have ports; throws on a failed instance. */
export function reservedStatuses(
  ids: readonly string[],
  statuses: ReadonlyMap<string, InstanceStatus>,
): Map<string, InstanceStatus> | undefined {
  const out = new Map<string, InstanceStatus>();
  for (const id of ids) {
    const status = statuses.get(id);
    if (status?.state === 'failed') throw instanceFailed(id, status);
    if (!status || Object.keys(status.ports).length === 0) return undefined;
    out.set(id, status);
  }
  return out;
}

/** True when the instance's spec is released and it runs at that generation; throws when it failed. */
export function runningNow(
  id: string,
  specs: ReadonlyMap<string, InstanceSpec>,
  statuses: ReadonlyMap<string, InstanceStatus>,
): boolean {
  const status = statuses.get(id);
  if (status?.state === 'failed') throw instanceFailed(id, status);
  const spec = specs.get(id);
  return spec !== undefined && !spec.hold && isRunningAt(status, spec.generation);
}

/** The attempt failure for an instance its allocator reports `failed`. */
export function instanceFailed(id: string, status: InstanceStatus): Error {
  return attemptFailure(
    'WHARF_RUNTIME_ERROR',
    FAILURE_TYPES.instanceFailed,
    `instance ${id} failed: ${status.message ?? 'no message'}`,
    {
      instance_id: id,
      allocator_id: status.allocator_id,
    },
  );
}

/** The recorded placement of an instance (a missing one is a bug: placements precede specs). */
export function placementOf(placements: readonly Placement[] | undefined, instanceId: string): Placement {
  const p = placements?.find((x) => x.instance_id === instanceId);
  if (!p) throw new Error(`no placement recorded for ${instanceId}`);
  return p;
}

/** The cluster token of a resource: the one chosen at validation, else a stable fallback. */
export function clusterTokenOf(
  tokens: Readonly<Record<string, string>> | undefined,
  deploymentId: string,
  refId: string,
): string {
  return tokens?.[refId] ?? `${deploymentId}-${refId}`;
}
