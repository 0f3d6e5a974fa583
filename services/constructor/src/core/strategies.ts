/**
 * Plan strategies (`transient.strategy`, ECE names): how the change set of an attempt is cut into
 * **groups** and in which order each group's steps run. Pure.
 *
 * A group is a slice of the change set — some new instances and some leaving ones — that runs the
 * whole step sequence (place, start, route, leave, remove) before the next group starts. The
 * attempt state records the group of every step (`step_groups[cursor]`), so a resumed attempt
 * knows which group it is in.
 *
 * | strategy | groups | order in a group |
 * |---|---|---|
 * | `grow_and_shrink` (default) | one | grow first |
 * | `rolling` `group_by: __all__` | one | shrink first when safe, else grow first |
 * | `rolling` `group_by: __name__` (default) | one per replaced instance | shrink first when safe |
 * | `rolling` `group_by: logical_zone_name` | one per zone of the leaving instances | shrink first when safe |
 * | `rolling_grow_and_shrink` | one per replaced instance | grow first |
 * | `autodetect` | see {@link autodetect} | |
 *
 * *Shrink first* (take the old members out, then start their replacements) needs no spare
 * capacity, but it is only chosen when the members that stay are a strict majority of the
 * resource's current members (`2 × leaving < members`), so a consensus cluster never drops below
 * quorum; otherwise the group grows first. A new cluster (nothing runs yet) is always one group:
 * its members must start together.
 */
import { STEP_IDS, listResources, strategyOf, type PlanDocument, type StepId } from '@wharf/model';
import { planResources } from './desired';
import { type InstanceRef, type NewInstance, type ResourceChanges } from './changes';
import { type Placement } from './place';

/** A strategy name. */
export type StrategyName = 'grow_and_shrink' | 'rolling' | 'rolling_grow_and_shrink' | 'autodetect';
/** `rolling.group_by`. */
export type GroupBy = '__all__' | '__name__' | 'logical_zone_name';

/** Strategies this constructor applies. */
export const SUPPORTED_STRATEGIES: readonly StrategyName[] = [
  'grow_and_shrink',
  'rolling',
  'rolling_grow_and_shrink',
  'autodetect',
];

/** `rolling.group_by` when none is given (ECE's default). */
export const DEFAULT_GROUP_BY: GroupBy = '__name__';

/** Order of the steps inside one group. */
export type GroupOrder = 'grow_first' | 'shrink_first';

/** One group: the instance ids it creates and removes, and its order. */
export interface StepGroup {
  create: string[];
  remove: string[];
  order: GroupOrder;
}

/** A resolved strategy (autodetect already decided). */
export interface ResolvedStrategy {
  name: Exclude<StrategyName, 'autodetect'>;
  group_by?: GroupBy;
}

/** The ordered steps of a change set and the group each step belongs to. */
export interface OrderedSteps {
  steps: StepId[];
  groups: StepGroup[];
  /** `step_groups[i]` is the group of `steps[i]` (validate and plan-completed belong to group 0 and the last). */
  step_groups: number[];
}

/**
 * `autodetect`: a change that only adds or removes instances (nothing replaced) runs
 * `grow_and_shrink` (one group, no restarts); a change that replaces instances (size, version,
 * settings, instance configuration, restart) runs `rolling_grow_and_shrink` — one instance at a
 * time, the replacement running before the old one leaves, so no member is lost while capacity
 * needs only one spare instance.
 */
export function autodetect(r: Pick<ResourceChanges, 'create' | 'remove'>): ResolvedStrategy {
  return pairsOf(r).pairs.length > 0 ? { name: 'rolling_grow_and_shrink' } : { name: 'grow_and_shrink' };
}

/** The strategy a plan asks for a resource (autodetect resolved against its changes). */
export function resolveStrategy(pending: PlanDocument, r: ResourceChanges): ResolvedStrategy {
  const resources = planResources(pending);
  const resource = resources ? listResources(resources).find((x) => x.ref_id === r.ref_id) : undefined;
  if (!resource) return { name: 'grow_and_shrink' };
  const name = strategyOf(resource.plan);
  if (name === 'autodetect') return autodetect(r);
  if (name === 'rolling') {
    return { name, group_by: resource.plan.transient?.strategy?.rolling?.group_by ?? DEFAULT_GROUP_BY };
  }
  return { name };
}

/** Groups of one resource under `strategy`. */
export function groupsOf(r: ResourceChanges, strategy: ResolvedStrategy): StepGroup[] {
  if (r.create.length === 0 && r.remove.length === 0) return [];
  const all = [{ create: r.create.map(idOf), remove: r.remove.map(idOf) }];
  const members = r.keep.length + r.remove.length;
  const withOrder = (slices: { create: string[]; remove: string[] }[], rolling: boolean): StepGroup[] =>
    slices.map((s) => ({
      ...s,
      order: rolling && shrinkIsSafe(s.remove.length, members) ? 'shrink_first' : 'grow_first',
    }));
  // Nothing runs yet (or nothing stays): every member must start (or go) together.
  if (r.cluster.state === 'new' || r.dissolve || strategy.name === 'grow_and_shrink') {
    return withOrder(all, false);
  }
  if (strategy.name === 'rolling_grow_and_shrink') return withOrder(byInstance(r), false);
  if (strategy.group_by === '__all__') return withOrder(all, true);
  if (strategy.group_by === 'logical_zone_name') return withOrder(byZone(r), true);
  return withOrder(byInstance(r), true);
}

/** True when `leaving` members can go before their replacements start without losing quorum. */
export function shrinkIsSafe(leaving: number, members: number): boolean {
  return leaving > 0 && 2 * leaving < members;
}

/** The ordered steps of `resources` (their groups one after another). */
export function orderSteps(
  pending: PlanDocument,
  resources: readonly ResourceChanges[],
  shutdown: boolean,
): OrderedSteps {
  const steps: StepId[] = [STEP_IDS.validatePlanSafety];
  const stepGroups: number[] = [0];
  if (shutdown) {
    const removes = resources.flatMap((r) => r.remove.map(idOf));
    steps.push(STEP_IDS.removeInstances, STEP_IDS.waitUntilStopped, STEP_IDS.planCompleted);
    return {
      steps,
      groups: [{ create: [], remove: removes, order: 'grow_first' }],
      step_groups: [0, 0, 0, 0],
    };
  }
  const groups = resources.flatMap((r) => groupsOf(r, resolveStrategy(pending, r)));
  if (groups.length === 0) groups.push({ create: [], remove: [], order: 'grow_first' });
  groups.forEach((g, index) => {
    const leaves = g.remove.some((id) => leaverNeedsLeave(resources, id));
    // New members of a running cluster catch up (migrate-data) before routing and before a leave.
    const migrates = resources.some(
      (r) => r.cluster.state === 'existing' && r.create.some((c) => g.create.includes(c.instance_id)),
    );
    for (const step of groupSteps(g, leaves, migrates)) {
      steps.push(step);
      stepGroups.push(index);
    }
  });
  steps.push(STEP_IDS.planCompleted);
  stepGroups.push(groups.length - 1);
  return { steps, groups, step_groups: stepGroups };
}

/** The steps of one group in its order. */
export function groupSteps(g: StepGroup, leave: boolean, migrate = false): StepId[] {
  const grow: StepId[] =
    g.create.length > 0
      ? [
          STEP_IDS.allocateInstances,
          STEP_IDS.startInstances,
          STEP_IDS.waitUntilRunning,
          ...(migrate ? [STEP_IDS.migrateData] : []),
        ]
      : [];
  const shrink: StepId[] = [
    ...(leave ? [STEP_IDS.leaveCluster] : []),
    ...(g.remove.length > 0 ? [STEP_IDS.removeInstances, STEP_IDS.waitUntilStopped] : []),
  ];
  if (g.order === 'shrink_first' && g.remove.length > 0) {
    // Route away from the leaving members first; route again once the replacements run.
    return [STEP_IDS.updateRouting, ...shrink, ...grow, ...(grow.length > 0 ? [STEP_IDS.updateRouting] : [])];
  }
  return [...grow, STEP_IDS.updateRouting, ...shrink];
}

/**
 * The change set as the steps of group `index` see it: that group's new and leaving instances;
 * `keep` holds everyone else that runs meanwhile — kept instances, earlier groups' new instances
 * (at their placement) and later groups' leaving ones. Without groups (an attempt saved by an
 * older constructor) the whole set is one group.
 */
export function groupView<T extends { resources: ResourceChanges[]; groups?: StepGroup[] }>(
  changes: T,
  index: number,
  placements: readonly Placement[] | undefined,
): T {
  const groups = changes.groups;
  if (!groups || groups.length === 0) return changes;
  const current = groups[Math.min(index, groups.length - 1)]!;
  const earlierCreates = new Set(groups.slice(0, index).flatMap((g) => g.create));
  const laterRemoves = new Set(groups.slice(index + 1).flatMap((g) => g.remove));
  const resources = changes.resources.map((r) => {
    const create = r.create.filter((c) => current.create.includes(c.instance_id));
    const remove = r.remove.filter((x) => current.remove.includes(x.instance_id));
    const keep = [
      ...r.keep,
      ...r.create.filter((c) => earlierCreates.has(c.instance_id)).flatMap((c) => placedRef(c, placements)),
      ...r.remove.filter((x) => laterRemoves.has(x.instance_id)),
    ];
    return { ...r, keep, create, remove, dissolve: r.dissolve && keep.length === 0 && create.length === 0 };
  });
  return { ...changes, resources };
}

/** The group of the step at `cursor` (0 without groups). */
export function groupAt(
  changes: { steps: readonly StepId[]; step_groups?: number[] } | undefined,
  cursor: number,
): number {
  const list = changes?.step_groups;
  if (!list || list.length === 0) return 0;
  return list[Math.min(cursor, list.length - 1)] ?? 0;
}

/** A new instance of an earlier group as a reference, once placed. */
function placedRef(c: NewInstance, placements: readonly Placement[] | undefined): InstanceRef[] {
  const p = placements?.find((x) => x.instance_id === c.instance_id);
  if (!p) return [];
  return [
    {
      instance_id: c.instance_id,
      allocator_id: p.allocator_id,
      zone: p.zone,
      ref_id: c.ref_id,
      topology_id: c.topology_id,
      memory_mb: c.memory_mb,
    },
  ];
}

interface Pairs {
  pairs: { create: NewInstance; remove: InstanceRef }[];
  creates: NewInstance[];
  removes: InstanceRef[];
}

/** Replacements: each leaving instance paired with a new one of the same topology element, in id order. */
function pairsOf(r: Pick<ResourceChanges, 'create' | 'remove'>): Pairs {
  const creates = [...r.create];
  const removes: InstanceRef[] = [];
  const pairs: Pairs['pairs'] = [];
  for (const old of r.remove) {
    const i = creates.findIndex((c) => c.topology_id === old.topology_id);
    if (i >= 0) pairs.push({ create: creates.splice(i, 1)[0]!, remove: old });
    else removes.push(old);
  }
  return { pairs, creates, removes };
}

/** One group per replacement, then one per instance added, then one per instance removed. */
function byInstance(r: ResourceChanges): { create: string[]; remove: string[] }[] {
  const { pairs, creates, removes } = pairsOf(r);
  return [
    ...pairs.map((p) => ({ create: [p.create.instance_id], remove: [p.remove.instance_id] })),
    ...creates.map((c) => ({ create: [c.instance_id], remove: [] })),
    ...removes.map((x) => ({ create: [], remove: [x.instance_id] })),
  ];
}

/** One group per zone of the leaving instances (with their replacements), then the additions. */
function byZone(r: ResourceChanges): { create: string[]; remove: string[] }[] {
  const { pairs, creates, removes } = pairsOf(r);
  const zones = new Map<string, { create: string[]; remove: string[] }>();
  const zoneGroup = (zone: string) => {
    let g = zones.get(zone);
    if (!g) zones.set(zone, (g = { create: [], remove: [] }));
    return g;
  };
  for (const p of pairs) {
    const g = zoneGroup(p.remove.zone);
    g.create.push(p.create.instance_id);
    g.remove.push(p.remove.instance_id);
  }
  for (const x of removes) zoneGroup(x.zone).remove.push(x.instance_id);
  const out = [...zones.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
  if (creates.length > 0) out.push({ create: creates.map((c) => c.instance_id), remove: [] });
  return out;
}

function leaverNeedsLeave(resources: readonly ResourceChanges[], id: string): boolean {
  const r = resources.find((x) => x.remove.some((i) => i.instance_id === id));
  // A cluster started anew (its members lost with their hosts) has no member to leave it.
  return r !== undefined && !r.dissolve && r.cluster.state === 'existing';
}

function idOf(i: { instance_id: string }): string {
  return i.instance_id;
}
