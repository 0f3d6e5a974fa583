/**
 * What a plan asks for, before placement: one {@link DesiredInstance} per instance of every
 * topology element. Pure.
 *
 * Mapping (documented in the README): a topology element `{ size: { value }, zone_count }` asks
 * for `zone_count` instances — placement spreads them one per zone before a second lands in any
 * zone — and each instance gets `memory_mb = size.value`. `size.resource: 'storage'` is read the
 * same way for now (Wharf has no disk quotas yet, so the value sizes memory).
 */
import {
  listResources,
  stackBlockOf,
  type InstanceSpec,
  type PlanDocument,
  type Resources,
  type StackKind,
} from '@wharf/model';

/** Free-form settings as the plan's `user_settings` carries them. */
export type InstanceSettings = NonNullable<InstanceSpec['settings']>;

/** One instance a plan wants, identified by its resource, topology element and ordinal. */
export interface DesiredInstance {
  /** Stack kind of the resource. */
  kind: StackKind;
  /** The resource's `ref_id`. */
  ref_id: string;
  /** The topology element's `id`. */
  topology_id: string;
  /** The topology element's instance configuration. */
  instance_configuration_id: string;
  /** Stack version from the resource's stack block. */
  version: string;
  /** Memory of the instance in MB (`size.value`). */
  memory_mb: number;
  /** The stack block's `user_settings`, when given. */
  settings?: InstanceSettings;
  /** 0-based position within the topology element (`0 .. zone_count-1`). */
  ordinal: number;
}

/** The parts of an instance that, when they change, force a replacement. */
export interface InstanceShape {
  kind: StackKind;
  version: string;
  memory_mb: number;
  settings?: InstanceSettings;
}

/** The resources of a plan document, or none for a shutdown plan. */
export function planResources(plan: Pick<PlanDocument, 'resources' | 'shutdown'> | null): Resources | null {
  if (!plan || plan.shutdown === true) return null;
  const resources = plan.resources as Resources;
  return Object.keys(resources).length === 0 ? null : resources;
}

/** Every instance the plan asks for, in a stable order (resource, topology element, ordinal). */
export function desiredInstances(plan: Pick<PlanDocument, 'resources' | 'shutdown'>): DesiredInstance[] {
  const resources = planResources(plan);
  if (!resources) return [];
  const out: DesiredInstance[] = [];
  for (const resource of listResources(resources)) {
    const block = stackBlockOf(resource);
    for (const element of resource.plan.cluster_topology) {
      for (let ordinal = 0; ordinal < element.zone_count; ordinal++) {
        out.push({
          kind: resource.kind,
          ref_id: resource.ref_id,
          topology_id: element.id,
          instance_configuration_id: element.instance_configuration_id,
          version: block.version,
          memory_mb: element.size.value,
          ...(block.user_settings ? { settings: block.user_settings } : {}),
          ordinal,
        });
      }
    }
  }
  return out;
}

/** The shape of a desired instance. */
export function shapeOfDesired(d: DesiredInstance): InstanceShape {
  return {
    kind: d.kind,
    version: d.version,
    memory_mb: d.memory_mb,
    ...(d.settings ? { settings: d.settings } : {}),
  };
}

/** The shape of a running instance's spec. */
export function shapeOfSpec(s: InstanceSpec): InstanceShape {
  return {
    kind: s.stack,
    version: s.version,
    memory_mb: s.memory_mb,
    ...(s.settings ? { settings: s.settings } : {}),
  };
}

/** True when two shapes would run the same thing (settings compared structurally). */
export function sameShape(a: InstanceShape, b: InstanceShape): boolean {
  return (
    a.kind === b.kind &&
    a.version === b.version &&
    a.memory_mb === b.memory_mb &&
    canonicalJson(a.settings ?? {}) === canonicalJson(b.settings ?? {})
  );
}

/** JSON with object keys sorted, so structurally equal values compare equal as strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Key of a topology element within a deployment: `<ref_id>/<topology_id>`. */
export function groupKey(refId: string, topologyId: string): string {
  return `${refId}/${topologyId}`;
}
