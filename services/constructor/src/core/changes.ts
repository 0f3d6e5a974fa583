/**
 * The reconciler: current plan + pending plan + observed specs → a {@link ChangeSet} with named
 * buckets per resource (`keep`, `create`, `remove`) and the ordered step ids that apply it. Pure.
 *
 * The buckets: a `zone_count` change adds or removes instances and keeps the others; a
 * size/version/settings/instance-configuration change (or `plan_configuration.reallocate_instances`,
 * which `_restart` sets) replaces every instance of that topology element. A shutdown plan removes
 * everything. How the buckets are cut into groups and ordered is the strategy's business
 * (`strategies.ts`): `grow_and_shrink` creates every new instance first and removes the old ones
 * after the route moved.
 */
import {
  FAILURE_TYPES,
  STEP_IDS,
  listResources,
  strategyOf,
  type InstanceSpec,
  type PlanDocument,
  type PlanRestore,
  type StackKind,
  type StepId,
  type WharfError,
} from '@wharf/model';
import { actionSteps, instanceActions } from './actions';
import { isRebuild, restoreSteps, withRestoreAfterStart } from './restore';
import { attemptFailure } from './failure';
import {
  desiredInstances,
  groupKey,
  planResources,
  sameShape,
  shapeOfDesired,
  shapeOfSpec,
  type DesiredInstance,
} from './desired';
import { compareIds, makeInstanceId, parseInstanceId } from './instance-ids';
import { SUPPORTED_STRATEGIES, orderSteps, type StepGroup } from './strategies';

export { SUPPORTED_STRATEGIES } from './strategies';

/** An instance to create: a desired instance with its new id. */
export interface NewInstance extends Omit<DesiredInstance, 'ordinal'> {
  instance_id: string;
}

/** A small, serialisable reference to an existing instance. */
export interface InstanceRef {
  instance_id: string;
  allocator_id: string;
  zone: string;
  ref_id: string;
  topology_id: string;
  memory_mb: number;
}

/** How instances created for a resource join its cluster. */
export type ClusterJoin = { state: 'new' } | { state: 'existing'; token: string };

/** The change set of one resource (one cluster). */
export interface ResourceChanges {
  kind: StackKind;
  ref_id: string;
  keep: InstanceRef[];
  create: NewInstance[];
  remove: InstanceRef[];
  /** `new`: nothing runs yet, every member starts at once; `existing`: join one at a time. */
  cluster: ClusterJoin;
  /** True when no instance of the resource remains afterwards (no leave hooks needed). */
  dissolve: boolean;
  /** Kept instances this attempt stops (`_stop`, `_shutdown`; `core/actions.ts`). */
  stop?: InstanceRef[];
  /** Kept instances this attempt starts again (`_start`). */
  resume?: InstanceRef[];
  /** Ids of kept instances stopped once the attempt is done: they are not routed. */
  stopped?: string[];
}

/** Everything one attempt changes, and the steps that do it in order. */
export interface ChangeSet {
  deployment_id: string;
  plan_id: string;
  shutdown: boolean;
  resources: ResourceChanges[];
  steps: StepId[];
  /** The strategy's groups, applied one after another (absent in attempts of older constructors). */
  groups?: StepGroup[];
  /** The group of each step (`step_groups[cursor]` is the current group). */
  step_groups?: number[];
  /** Every instance ends stopped (`_shutdown`): the route says so instead of listing them. */
  route_shutdown?: boolean;
  /** The snapshot `restore-snapshot` puts back (`_restore`; `core/restore.ts`). */
  restore?: PlanRestore;
}

/** The outcome of {@link planChanges}. */
export type PlanChangesResult = { ok: true; changes: ChangeSet } | { ok: false; error: WharfError };

/** Options of {@link planChanges}. */
export interface PlanChangesOptions {
  /** Instance ids still known elsewhere (e.g. statuses whose spec is gone) that must not be reused. */
  reservedIds?: Iterable<string>;
  /** Instances to replace by new ones even though they match the plan (move, vacate, recovery: `core/moves.ts`). */
  move?: Iterable<string>;
}

/** Computes the change set that takes observed specs from `current` to `pending`. */
export function planChanges(
  current: PlanDocument | null,
  pending: PlanDocument,
  observedSpecs: readonly InstanceSpec[],
  options: PlanChangesOptions = {},
): PlanChangesResult {
  const deploymentId = pending.deployment_id;
  const invalid = validatePlan(pending);
  if (invalid) return { ok: false, error: invalid };
  const specs = observedSpecs
    .filter((s) => s.deployment_id === deploymentId)
    .sort((a, b) => compareIds(a.instance_id, b.instance_id));
  const desired = desiredInstances(pending);
  const currentIcs = instanceConfigurationsOf(current);
  const reallocate = reallocatedRefs(pending);
  const nextIndex = nextIndexes(deploymentId, specs, options.reservedIds ?? []);
  const moving = new Set(options.move ?? []);
  const byRef = new Map<string, ResourceChanges>();
  const resourceOf = (kind: StackKind, refId: string): ResourceChanges => {
    let r = byRef.get(refId);
    if (!r) {
      r = {
        kind,
        ref_id: refId,
        keep: [],
        create: [],
        remove: [],
        cluster: { state: 'new' },
        dissolve: false,
      };
      byRef.set(refId, r);
    }
    return r;
  };
  const desiredGroups = groupBy(desired, (d) => groupKey(d.ref_id, d.topology_id));
  for (const [key, wanted] of desiredGroups) {
    const first = wanted[0]!;
    const resource = resourceOf(first.kind, first.ref_id);
    const existing = specs.filter((s) => groupKey(s.ref_id, s.topology_id) === key);
    const icChanged =
      (currentIcs.get(key) ?? first.instance_configuration_id) !== first.instance_configuration_id;
    const usable = existing.filter(
      (s) =>
        !s.hold &&
        !icChanged &&
        !reallocate.has(s.ref_id) &&
        !moving.has(s.instance_id) &&
        sameShape(shapeOfSpec(s), shapeOfDesired(first)),
    );
    const kept = pickSpread(usable, wanted.length);
    const keptIds = new Set(kept.map((s) => s.instance_id));
    resource.keep.push(...kept.map(toRef));
    resource.remove.push(...existing.filter((s) => !keptIds.has(s.instance_id)).map(toRef));
    for (const d of wanted.slice(kept.length)) {
      const index = nextIndex.get(d.ref_id) ?? 0;
      nextIndex.set(d.ref_id, index + 1);
      const { ordinal: _ordinal, ...rest } = d;
      resource.create.push({ ...rest, instance_id: makeInstanceId(deploymentId, d.ref_id, index) });
    }
  }
  for (const s of specs) {
    if (!desiredGroups.has(groupKey(s.ref_id, s.topology_id)))
      resourceOf(s.stack, s.ref_id).remove.push(toRef(s));
  }
  const resources = [...byRef.values()];
  // A recovery moves only instances of lost allocators: they run nowhere any more.
  const lost = pending.source.action === 'recover' ? moving : new Set<string>();
  for (const r of resources) finishResource(r, specs, lost);
  return withSteps(pending, resources, specs);
}

/** The change set with its steps: an action plan's (`core/actions.ts`) or the strategy's. */
function withSteps(
  pending: PlanDocument,
  resources: ResourceChanges[],
  specs: readonly InstanceSpec[],
): PlanChangesResult {
  const shutdown = planResources(pending) === null;
  for (const r of resources) if (!shutdown) addActions(r, pending, specs);
  // A recovery that rebuilds a wholly lost cluster restores a snapshot into it (`core/restore.ts`).
  const rebuild = isRebuild(pending, resources);
  const restore = rebuild ? ({ kind: 'none' } as const) : restoreSteps(pending, resources);
  const actions = restore.kind === 'none' ? actionSteps(resources) : restore;
  if (actions.kind === 'mixed')
    return {
      ok: false,
      error: attemptFailure('WHARF_PLAN_INVALID', FAILURE_TYPES.invalidPlan, actions.message),
    };
  const ordered =
    actions.kind === 'steps'
      ? { steps: actions.steps }
      : rebuild
        ? withRestoreAfterStart(orderSteps(pending, resources, shutdown))
        : orderSteps(pending, resources, shutdown);
  return {
    ok: true,
    changes: {
      deployment_id: pending.deployment_id,
      plan_id: pending.plan_id,
      shutdown,
      resources,
      ...ordered,
      ...(!shutdown && pending.stopped?.all === true ? { route_shutdown: true } : {}),
      ...(!shutdown && pending.restore !== undefined ? { restore: pending.restore } : {}),
    },
  };
}

/** Records the resource's stop/resume buckets, when there is anything stopped or to stop. */
function addActions(r: ResourceChanges, pending: PlanDocument, specs: readonly InstanceSpec[]): void {
  const actions = instanceActions(pending, r.keep, specs);
  if (actions.stop.length > 0) r.stop = actions.stop;
  if (actions.resume.length > 0) r.resume = actions.resume;
  if (actions.stopped.length > 0) r.stopped = actions.stopped;
}

/** Ref ids whose plan asks every instance to be replaced (`plan_configuration.reallocate_instances`). */
function reallocatedRefs(pending: PlanDocument): Set<string> {
  const resources = planResources(pending);
  if (!resources) return new Set();
  return new Set(
    listResources(resources)
      .filter((r) => r.plan.transient?.plan_configuration?.reallocate_instances === true)
      .map((r) => r.ref_id),
  );
}

/** The ordered steps that apply `resources`. */
export function stepsFor(resources: readonly ResourceChanges[], shutdown: boolean): StepId[] {
  const anyCreate = resources.some((r) => r.create.length > 0);
  const anyRemove = resources.some((r) => r.remove.length > 0);
  const anyLeave = resources.some((r) => r.remove.length > 0 && !r.dissolve);
  const steps: StepId[] = [STEP_IDS.validatePlanSafety];
  if (anyCreate) steps.push(STEP_IDS.allocateInstances, STEP_IDS.startInstances, STEP_IDS.waitUntilRunning);
  // New members of a running cluster catch up before it routes to them and before anyone leaves.
  if (resources.some((r) => r.create.length > 0 && r.cluster.state === 'existing'))
    steps.push(STEP_IDS.migrateData);
  if (!shutdown) steps.push(STEP_IDS.updateRouting);
  if (anyLeave && !shutdown) steps.push(STEP_IDS.leaveCluster);
  if (anyRemove || shutdown) steps.push(STEP_IDS.removeInstances, STEP_IDS.waitUntilStopped);
  steps.push(STEP_IDS.planCompleted);
  return steps;
}

/** Rejects strategies not supported yet and plans whose ids would collide. */
function validatePlan(pending: PlanDocument): WharfError | undefined {
  const resources = planResources(pending);
  if (!resources) return undefined;
  const refs = new Set<string>();
  for (const resource of listResources(resources)) {
    const strategy = strategyOf(resource.plan);
    if (!(SUPPORTED_STRATEGIES as readonly string[]).includes(strategy)) {
      return attemptFailure(
        'WHARF_STRATEGY_UNSUPPORTED',
        FAILURE_TYPES.unsupportedStrategy,
        `strategy '${strategy}' of ${resource.kind} resource '${resource.ref_id}' is not supported yet (supported: ${SUPPORTED_STRATEGIES.join(', ')})`,
        { ref_id: resource.ref_id, strategy },
      );
    }
    if (refs.has(resource.ref_id)) {
      return attemptFailure(
        'WHARF_PLAN_INVALID',
        FAILURE_TYPES.invalidPlan,
        `ref_id '${resource.ref_id}' is used twice`,
        {
          ref_id: resource.ref_id,
        },
      );
    }
    refs.add(resource.ref_id);
    const topologyIds = resource.plan.cluster_topology.map((t) => t.id);
    const duplicate = topologyIds.find((id, i) => topologyIds.indexOf(id) !== i);
    if (duplicate !== undefined) {
      return attemptFailure(
        'WHARF_PLAN_INVALID',
        FAILURE_TYPES.invalidPlan,
        `topology element '${duplicate}' of resource '${resource.ref_id}' is listed twice`,
        { ref_id: resource.ref_id, topology_id: duplicate },
      );
    }
  }
  return undefined;
}

/** Instance configuration of each topology element of a plan, by group key. */
function instanceConfigurationsOf(plan: PlanDocument | null): Map<string, string> {
  const out = new Map<string, string>();
  const resources = planResources(plan);
  if (!resources) return out;
  for (const r of listResources(resources)) {
    for (const t of r.plan.cluster_topology) out.set(groupKey(r.ref_id, t.id), t.instance_configuration_id);
  }
  return out;
}

/** Sets `cluster` and `dissolve` once the buckets are known. */
function finishResource(r: ResourceChanges, specs: readonly InstanceSpec[], lost: ReadonlySet<string>): void {
  r.dissolve = r.keep.length === 0 && r.create.length === 0;
  // A cluster exists while any released (non-held) member runs, kept or about to be replaced;
  // one whose every member was lost with its host is started anew (and restored from a snapshot).
  const running = specs.find((s) => s.ref_id === r.ref_id && !s.hold && !lost.has(s.instance_id));
  r.cluster = running ? { state: 'existing', token: running.cluster.token } : { state: 'new' };
}

/**
 * Chooses `count` specs to keep, spread first: one per zone in index order, then the lowest
 * remaining indexes. Shrinking therefore removes the newest instances from crowded zones first.
 */
export function pickSpread(specs: readonly InstanceSpec[], count: number): InstanceSpec[] {
  const ordered = [...specs].sort((a, b) => compareIds(a.instance_id, b.instance_id));
  const picked: InstanceSpec[] = [];
  const zones = new Set<string>();
  for (const s of ordered) {
    if (picked.length >= count) break;
    if (!zones.has(s.zone)) {
      zones.add(s.zone);
      picked.push(s);
    }
  }
  for (const s of ordered) {
    if (picked.length >= count) break;
    if (!picked.includes(s)) picked.push(s);
  }
  return picked.sort((a, b) => compareIds(a.instance_id, b.instance_id));
}

/** The next free instance index of every resource (past every spec and reserved id). */
function nextIndexes(
  deploymentId: string,
  specs: readonly InstanceSpec[],
  reserved: Iterable<string>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of [...specs.map((s) => s.instance_id), ...reserved]) {
    const parsed = parseInstanceId(deploymentId, id);
    if (parsed) out.set(parsed.ref_id, Math.max(out.get(parsed.ref_id) ?? 0, parsed.index + 1));
  }
  return out;
}

/** A reference to an existing spec. */
export function toRef(s: InstanceSpec): InstanceRef {
  return {
    instance_id: s.instance_id,
    allocator_id: s.allocator_id,
    zone: s.zone,
    ref_id: s.ref_id,
    topology_id: s.topology_id,
    memory_mb: s.memory_mb,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
