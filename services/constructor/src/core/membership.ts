/**
 * Cluster membership, decided: who a joining member is introduced to, who stays while a member
 * leaves, and which members a rollback must take out again. Membership changes one member at a
 * time, and hooks only ever get members that are routable (running and healthy). Pure.
 */
import { type InstanceSpec, type InstanceStatus, type MemberEndpoint } from '@wharf/model';
import { type InstanceRef, type ResourceChanges } from './changes';
import { memberEndpoint, memberList } from './instances';
import { isRoutable } from './route';

/** The members a new instance joins: all of them (for its spec), and the healthy ones (for the hook). */
export interface JoinMembers {
  members: MemberEndpoint[];
  healthy: MemberEndpoint[];
}

/**
 * Members of `r`'s cluster when its `index`-th new instance joins: the kept and the leaving ones
 * and the new ones joined before it (in this run or before a leader change).
 */
export function joinMembers(
  r: ResourceChanges,
  index: number,
  statuses: ReadonlyMap<string, InstanceStatus>,
): JoinMembers {
  const earlier = r.create.slice(0, index).map((e) => e.instance_id);
  const clusterIds = [...r.keep, ...r.remove].map((i) => i.instance_id).concat(earlier);
  const members = memberList(statuses, clusterIds);
  return { members, healthy: members.filter((m) => isRoutable(statuses.get(m.name))) };
}

/** The routable members among `refs`, as endpoints. */
export function routableMembers(
  refs: readonly Pick<InstanceRef, 'instance_id'>[],
  statuses: ReadonlyMap<string, InstanceStatus>,
): MemberEndpoint[] {
  return refs.flatMap((m) => {
    const s = statuses.get(m.instance_id);
    return s && isRoutable(s) ? [memberEndpoint(m.instance_id, s)] : [];
  });
}

/** The routable members that remain while `leavingId` leaves (those already `left` excluded). */
export function remainingMembers(
  r: ResourceChanges,
  leavingId: string,
  left: readonly string[],
  statuses: ReadonlyMap<string, InstanceStatus>,
): MemberEndpoint[] {
  const still = [...r.keep, ...r.create, ...r.remove].filter(
    (m) => m.instance_id !== leavingId && !left.includes(m.instance_id),
  );
  return routableMembers(still, statuses);
}

/** True when removing members of `r` needs the stack's leave hook (the cluster keeps running). */
export function needsLeave(r: ResourceChanges, hasLeaveHook: boolean): boolean {
  return !r.dissolve && r.remove.length > 0 && hasLeaveHook;
}

/**
 * The attempt's new members of an existing cluster that a rollback must take out, newest first:
 * released ones joined, and the one whose join hook was under way may have been added.
 */
export function rollbackLeavers(
  r: ResourceChanges,
  created: readonly InstanceSpec[],
  joining: string | undefined,
): InstanceSpec[] {
  if (r.cluster.state !== 'existing') return [];
  return r.create
    .flatMap((c) => created.filter((s) => s.instance_id === c.instance_id))
    .filter((s) => !s.hold || s.instance_id === joining)
    .reverse();
}

/** True when an instance has reported ports (without them its join hook never ran). */
export function hasPorts(status: InstanceStatus | undefined): status is InstanceStatus {
  return status !== undefined && Object.keys(status.ports).length > 0;
}

/** True when `r`'s new members join a running cluster whose stack migrates data to them. */
export function needsMigration(r: ResourceChanges, hasMigrateHook: boolean): boolean {
  return hasMigrateHook && r.cluster.state === 'existing' && r.create.length > 0;
}

/**
 * The routable members a joined member catches up from: everyone in `r`'s cluster but itself
 * (kept, leaving, and the other new members).
 */
export function migrationPeers(
  r: ResourceChanges,
  joinedId: string,
  statuses: ReadonlyMap<string, InstanceStatus>,
): MemberEndpoint[] {
  const others = [...r.keep, ...r.remove, ...r.create].filter((m) => m.instance_id !== joinedId);
  return routableMembers(others, statuses);
}
