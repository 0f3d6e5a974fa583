/**
 * Guarded operations: a change that would stop instances people depend on is refused with 409
 * `WHARF_IN_USE` naming what would stop, unless the caller says `?force=true`. Pure: the routes
 * read the allocators and call these before writing anything.
 *
 *   PUT /platform/hosts/:id/roles          removing `allocator` stops the host's allocator
 *   PUT /platform/allocators/:id/maintenance  enabling it leaves the allocator's instances where no
 *                                          plan may place or replace them (ECE: vacate it next)
 *
 * There is no instance-configuration delete route yet; when one lands it belongs here too.
 */
import { WharfError, type HostRole, type InstanceSpec, type ValidationIssue } from '@wharf/model';

/** One allocator as the guards need it: its id and the instances assigned to it. */
export interface GuardedAllocator {
  readonly id: string;
  readonly specs: readonly Pick<InstanceSpec, 'deployment_id' | 'instance_id'>[];
  /** Its advertisement (absent until it has advertised itself). */
  readonly advertisement?: { readonly maintenance?: boolean } | undefined;
}

/** Instances listed in a 409 message; the full count is always given. */
const MAX_LISTED_INSTANCES = 10;

/**
 * The allocator a host's runner starts for the `allocator` role. The runner names every service
 * it supervises `<service>-<host>` (`services/runner/src/roles.ts`, `planLaunches`).
 */
export function allocatorIdOfHost(hostId: string): string {
  return `allocator-${hostId}`;
}

/** `dep/inst, dep/inst, ... (+n more)`. */
function listInstances(specs: GuardedAllocator['specs']): string {
  const shown = specs.slice(0, MAX_LISTED_INSTANCES).map((s) => `${s.deployment_id}/${s.instance_id}`);
  const more = specs.length > MAX_LISTED_INSTANCES ? ` (+${specs.length - MAX_LISTED_INSTANCES} more)` : '';
  return `${shown.join(', ')}${more}`;
}

function inUse(message: string, issue: ValidationIssue): WharfError {
  return new WharfError('WHARF_IN_USE', `${message}; repeat with ?force=true to do it anyway`, {
    details: [issue],
  });
}

/**
 * Throws `WHARF_IN_USE` when `next` drops the `allocator` role from a host whose allocator still
 * has instances assigned. Adding roles, or dropping others, is never refused.
 */
export function guardRoleChange(
  hostId: string,
  current: readonly HostRole[],
  next: readonly HostRole[],
  allocators: readonly GuardedAllocator[],
): void {
  if (!current.includes('allocator') || next.includes('allocator')) return;
  const allocator = allocators.find((a) => a.id === allocatorIdOfHost(hostId));
  if (allocator === undefined || allocator.specs.length === 0) return;
  throw inUse(
    `removing the allocator role from host ${hostId} would stop ${allocator.specs.length} instance(s)`,
    {
      path: 'roles',
      message: `allocator ${allocator.id} runs ${listInstances(allocator.specs)}`,
    },
  );
}

/** Throws `WHARF_IN_USE` when maintenance would be switched on for an allocator that has instances. */
export function guardMaintenance(
  allocatorId: string,
  enabled: boolean,
  allocators: readonly GuardedAllocator[],
): void {
  if (!enabled) return;
  const allocator = allocators.find((a) => a.id === allocatorId);
  // Already in maintenance: repeating the PUT changes nothing, so it is not refused.
  if (allocator === undefined || allocator.specs.length === 0 || allocator.advertisement?.maintenance) return;
  throw inUse(
    `allocator ${allocatorId} has ${allocator.specs.length} instance(s) that no plan could replace there in maintenance`,
    { path: 'enabled', message: `allocator ${allocatorId} runs ${listInstances(allocator.specs)}` },
  );
}
