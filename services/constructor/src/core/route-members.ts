/** The instances an attempt routes to: kept ones by reference, new ones at their placement. Pure. */
import { type InstanceSpec, type StackKind } from '@wharf/model';
import { type ChangeSet, type InstanceRef, type ResourceChanges } from './changes';
import { type Placement } from './place';
import { type RouteMember } from './route';

export type { RouteMember } from './route';

/** Route members for references to existing instances. */
export function refMembers(kind: StackKind, refs: readonly InstanceRef[]): RouteMember[] {
  return refs.map((k) => ({
    spec: { ...k, stack: kind } satisfies Pick<
      InstanceSpec,
      'instance_id' | 'allocator_id' | 'ref_id' | 'zone' | 'stack'
    >,
  }));
}

/** Route members for the new instances of `r` that have a placement. */
export function createdMembers(
  r: ResourceChanges,
  placements: readonly Placement[] | undefined,
): RouteMember[] {
  return r.create.flatMap((c) => {
    const p = placements?.find((x) => x.instance_id === c.instance_id);
    return p
      ? [
          {
            spec: {
              instance_id: c.instance_id,
              allocator_id: p.allocator_id,
              ref_id: c.ref_id,
              zone: p.zone,
              stack: r.kind,
            },
          },
        ]
      : [];
  });
}

/**
 * Everyone the deployment routes to once the attempt's new instances run: kept + new, without
 * the kept ones that end stopped (`_stop`, `_shutdown`).
 */
export function targetMembers(
  changes: ChangeSet,
  placements: readonly Placement[] | undefined,
): RouteMember[] {
  return changes.resources.flatMap((r) => {
    const stopped = new Set(r.stopped ?? []);
    const kept = r.keep.filter((k) => !stopped.has(k.instance_id));
    return [...refMembers(r.kind, kept), ...createdMembers(r, placements)];
  });
}

/**
 * The instances an attempt removes or stops, listed as draining (unroutable until they leave the
 * route).
 */
export function drainingMembers(changes: ChangeSet): RouteMember[] {
  return changes.resources.flatMap((r) =>
    refMembers(r.kind, [...r.remove, ...(r.stop ?? [])]).map((m) => ({ ...m, draining: true })),
  );
}
