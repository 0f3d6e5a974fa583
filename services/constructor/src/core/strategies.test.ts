import { STEP_IDS, type InstanceSpec, type PlanDocument, type StepId } from '@wharf/model';
import { etcdPlanDoc, shutdownPlanDoc, specDoc } from '../../test/fixtures';
import { planChanges, type ChangeSet } from './changes';
import { groupAt, groupView, shrinkIsSafe } from './strategies';
import { parseAttemptState, serializeState, initialState, type AttemptState } from './attempt-state';
import { type Placement } from './place';

const D = 'd1';

const LETTERS: Partial<Record<StepId, string>> = {
  [STEP_IDS.allocateInstances]: 'a',
  [STEP_IDS.startInstances]: 's',
  [STEP_IDS.waitUntilRunning]: 'w',
  [STEP_IDS.migrateData]: 'm',
  [STEP_IDS.updateRouting]: 'r',
  [STEP_IDS.leaveCluster]: 'l',
  [STEP_IDS.removeInstances]: 'x',
  [STEP_IDS.waitUntilStopped]: 'y',
};

/** `v <group> | <group> … c`: a=allocate s=start w=wait-running m=migrate-data r=route l=leave x=remove y=wait-stopped. */
function render(c: ChangeSet): string {
  expect(c.steps[0]).toBe(STEP_IDS.validatePlanSafety);
  expect(c.steps.at(-1)).toBe(STEP_IDS.planCompleted);
  expect(c.step_groups).toHaveLength(c.steps.length);
  const groups: string[] = [];
  c.steps.slice(1, -1).forEach((step, i) => {
    const g = c.step_groups![i + 1]!;
    groups[g] = (groups[g] ?? '') + (LETTERS[step] ?? '?');
  });
  return groups.join(' | ');
}

function ok(result: ReturnType<typeof planChanges>): ChangeSet {
  if (!result.ok) throw result.error;
  return result.changes;
}

const STRATEGIES: Record<string, Record<string, unknown>> = {
  grow_and_shrink: { grow_and_shrink: {} },
  rolling_all: { rolling: { group_by: '__all__' } },
  rolling_name: { rolling: {} },
  rolling_zone: { rolling: { group_by: 'logical_zone_name' } },
  rolling_grow_and_shrink: { rolling_grow_and_shrink: {} },
  autodetect: { autodetect: {} },
};

const specs = (n: number, extra: Partial<InstanceSpec> = {}) =>
  Array.from({ length: n }, (_, i) => specDoc(D, i, `al-${i}`, `zone-${'abc'[i % 3]!}`, extra));

/** A plan with a second topology element `extra` of one instance. */
function withExtra(plan: PlanDocument): PlanDocument {
  const copy = JSON.parse(JSON.stringify(plan)) as PlanDocument;
  const etcd = (copy.resources as { etcd: { plan: { cluster_topology: unknown[] } }[] }).etcd[0]!;
  etcd.plan.cluster_topology.push({
    id: 'extra',
    instance_configuration_id: 'etcd.default',
    size: { resource: 'memory', value: 256 },
    zone_count: 1,
  });
  return copy;
}

interface Kind {
  current: PlanDocument | null;
  pending: (strategy: Record<string, unknown>) => PlanDocument;
  observed: InstanceSpec[];
}

const KINDS: Record<string, Kind> = {
  'new cluster': { current: null, pending: (s) => etcdPlanDoc(D, { strategy: s }), observed: [] },
  'size up': {
    current: etcdPlanDoc(D),
    pending: (s) => etcdPlanDoc(D, { strategy: s, memoryMb: 512 }),
    observed: specs(3),
  },
  'size down': {
    current: etcdPlanDoc(D, { memoryMb: 512 }),
    pending: (s) => etcdPlanDoc(D, { strategy: s }),
    observed: specs(3, { memory_mb: 512 }),
  },
  'zone_count up': {
    current: etcdPlanDoc(D),
    pending: (s) => etcdPlanDoc(D, { strategy: s, zoneCount: 5 }),
    observed: specs(3),
  },
  'zone_count down': {
    current: etcdPlanDoc(D, { zoneCount: 5 }),
    pending: (s) => etcdPlanDoc(D, { strategy: s, zoneCount: 3 }),
    observed: specs(5),
  },
  'version change': {
    current: etcdPlanDoc(D),
    pending: (s) => etcdPlanDoc(D, { strategy: s, version: '3.5' }),
    observed: specs(3),
  },
  'config change': {
    current: etcdPlanDoc(D),
    pending: (s) => etcdPlanDoc(D, { strategy: s, settings: { 'quota-backend-bytes': '1' } }),
    observed: specs(3),
  },
  'topology element added': {
    current: etcdPlanDoc(D),
    pending: (s) => withExtra(etcdPlanDoc(D, { strategy: s })),
    observed: specs(3),
  },
  'topology element removed': {
    current: withExtra(etcdPlanDoc(D)),
    pending: (s) => etcdPlanDoc(D, { strategy: s }),
    observed: [...specs(3), specDoc(D, 3, 'al-3', 'zone-a', { topology_id: 'extra' })],
  },
  'no change': {
    current: etcdPlanDoc(D),
    pending: (s) => etcdPlanDoc(D, { strategy: s }),
    observed: specs(3),
  },
  shutdown: { current: etcdPlanDoc(D), pending: () => shutdownPlanDoc(D), observed: specs(3) },
};

const GS = 'aswmrlxy'; // grow first: place, start, wait, route, leave, remove, wait stopped
const SG = 'rlxyaswmr'; // shrink first: route away, leave, remove, wait stopped, place, start, wait, route
const x3 = (g: string) => [g, g, g].join(' | ');

/** Expected groups per change kind and strategy (columns in {@link STRATEGIES} order). */
const TABLE: [string, string, string, string, string, string, string][] = [
  // kind,                     g&s,     all,     name,        zone,        rolling g&s, autodetect
  ['new cluster', 'aswr', 'aswr', 'aswr', 'aswr', 'aswr', 'aswr'],
  ['size up', GS, GS, x3(SG), x3(SG), x3(GS), x3(GS)],
  ['size down', GS, GS, x3(SG), x3(SG), x3(GS), x3(GS)],
  ['zone_count up', 'aswmr', 'aswmr', 'aswmr | aswmr', 'aswmr', 'aswmr | aswmr', 'aswmr'],
  ['zone_count down', 'rlxy', 'rlxy', 'rlxy | rlxy', 'rlxy | rlxy', 'rlxy | rlxy', 'rlxy'],
  ['version change', GS, GS, x3(SG), x3(SG), x3(GS), x3(GS)],
  ['config change', GS, GS, x3(SG), x3(SG), x3(GS), x3(GS)],
  ['topology element added', 'aswmr', 'aswmr', 'aswmr', 'aswmr', 'aswmr', 'aswmr'],
  ['topology element removed', 'rlxy', 'rlxy', 'rlxy', 'rlxy', 'rlxy', 'rlxy'],
  ['no change', 'r', 'r', 'r', 'r', 'r', 'r'],
  ['shutdown', 'xy', 'xy', 'xy', 'xy', 'xy', 'xy'],
];

describe('strategies: steps of every change kind', () => {
  const names = Object.keys(STRATEGIES);
  const cases = TABLE.flatMap(([kind, ...expected]) =>
    names.map((name, i) => [kind, name, expected[i]!] as const),
  );
  it.each(cases)('%s with %s → %s', (kind, name, expected) => {
    const k = KINDS[kind]!;
    const c = ok(planChanges(k.current, k.pending(STRATEGIES[name]!), k.observed));
    expect(render(c)).toBe(expected);
    // Every new and leaving instance belongs to exactly one group.
    const creates = c.resources.flatMap((r) => r.create.map((x) => x.instance_id)).sort();
    const removes = c.resources.flatMap((r) => r.remove.map((x) => x.instance_id)).sort();
    expect(c.groups!.flatMap((g) => g.create).sort()).toEqual(creates);
    expect(c.groups!.flatMap((g) => g.remove).sort()).toEqual(removes);
  });

  it('groups a zone-grouped rolling change by the zone of the leaving instances', () => {
    const observed = [...specs(3), specDoc(D, 3, 'al-3', 'zone-a')];
    const c = ok(
      planChanges(
        etcdPlanDoc(D, { zoneCount: 4 }),
        etcdPlanDoc(D, { zoneCount: 4, memoryMb: 512, strategy: STRATEGIES.rolling_zone }),
        observed,
      ),
    );
    expect(c.groups!.map((g) => g.remove)).toEqual([
      [`${D}-main-0`, `${D}-main-3`],
      [`${D}-main-1`],
      [`${D}-main-2`],
    ]);
    // Two of four leave at once: not a strict majority staying, so that group grows first.
    expect(c.groups!.map((g) => g.order)).toEqual(['grow_first', 'shrink_first', 'shrink_first']);
  });

  it('replaces every instance when plan_configuration.reallocate_instances is set (restart)', () => {
    const pending = etcdPlanDoc(D, { strategy: STRATEGIES.rolling_name });
    const etcd = (pending.resources as { etcd: { plan: { transient: Record<string, unknown> } }[] }).etcd[0]!;
    etcd.plan.transient.plan_configuration = { reallocate_instances: true };
    const c = ok(planChanges(etcdPlanDoc(D), pending, specs(3)));
    expect(render(c)).toBe(x3(SG));
    expect(c.resources[0]!.keep).toEqual([]);
  });
});

describe('shrinkIsSafe', () => {
  it.each([
    [1, 3, true],
    [2, 3, false],
    [1, 2, false],
    [2, 5, true],
    [3, 5, false],
    [0, 3, false],
  ])('%i leaving of %i members → %s', (leaving, members, safe) => {
    expect(shrinkIsSafe(leaving, members)).toBe(safe);
  });
});

describe('groupView', () => {
  const c = ok(
    planChanges(
      etcdPlanDoc(D),
      etcdPlanDoc(D, { memoryMb: 512, strategy: STRATEGIES.rolling_name }),
      specs(3),
    ),
  );
  const placements: Placement[] = [3, 4, 5].map((i) => ({
    instance_id: `${D}-main-${i}`,
    allocator_id: `al-new-${i}`,
    zone: `zone-${'abc'[i - 3]!}`,
  })) as Placement[];

  it('shows each group its own new and leaving instance, everyone else running as keep', () => {
    const views = [0, 1, 2].map((g) => groupView(c, g, placements).resources[0]!);
    expect(views.map((v) => v.create.map((x) => x.instance_id))).toEqual([
      [`${D}-main-3`],
      [`${D}-main-4`],
      [`${D}-main-5`],
    ]);
    expect(views.map((v) => v.remove.map((x) => x.instance_id))).toEqual([
      [`${D}-main-0`],
      [`${D}-main-1`],
      [`${D}-main-2`],
    ]);
    expect(views[1]!.keep.map((k) => k.instance_id).sort()).toEqual([`${D}-main-2`, `${D}-main-3`]);
    expect(views[1]!.keep.find((k) => k.instance_id === `${D}-main-3`)?.allocator_id).toBe('al-new-3');
    expect(views.every((v) => !v.dissolve)).toBe(true);
  });

  it('is the whole set without groups (an attempt saved by an older constructor)', () => {
    const { groups: _g, step_groups: _s, ...old } = c;
    expect(groupView(old, 2, placements)).toBe(old);
    expect(groupAt(old, 5)).toBe(0);
  });
});

/**
 * A pure simulation of a rolling change interrupted at every step boundary: the attempt state is
 * serialised and parsed (as a new leader reads it) before each step, and the steps act on a fake
 * set of instances through the group view. Whatever boundary the crash hits, the end state is the
 * three new instances, each created once, and never fewer than two members running.
 */
describe('rolling attempt resumed at every step boundary', () => {
  const pending = etcdPlanDoc(D, { memoryMb: 512, strategy: STRATEGIES.rolling_name });
  const c = ok(planChanges(etcdPlanDoc(D), pending, specs(3)));
  const boundaries = c.steps.map((step, i) => [i, step] as const).slice(1, -1);

  it.each(boundaries)('crash before step %i (%s) resumes to the same end', (crashAt) => {
    let state: AttemptState = { ...initialState(pending, 0), changes: c, cursor: 1 };
    const running = new Set(specs(3).map((s) => s.instance_id));
    const created: string[] = [];
    let minRunning = running.size;
    while (state.cursor < c.steps.length - 1) {
      if (state.cursor === crashAt) state = parseAttemptState(serializeState(state))!;
      const view = groupView(state.changes!, groupAt(state.changes, state.cursor), state.placements);
      const step = c.steps[state.cursor]!;
      const r = view.resources[0]!;
      if (step === STEP_IDS.allocateInstances) {
        const placed = new Set((state.placements ?? []).map((p) => p.instance_id));
        const fresh = r.create.filter((x) => !placed.has(x.instance_id));
        state.placements = [
          ...(state.placements ?? []),
          ...fresh.map(
            (x) => ({ instance_id: x.instance_id, allocator_id: 'n', zone: 'zone-a' }) as Placement,
          ),
        ];
      }
      if (step === STEP_IDS.startInstances) {
        for (const x of r.create) {
          if (!running.has(x.instance_id)) created.push(x.instance_id);
          running.add(x.instance_id);
        }
      }
      if (step === STEP_IDS.removeInstances) for (const x of r.remove) running.delete(x.instance_id);
      minRunning = Math.min(minRunning, running.size);
      state.cursor++;
    }
    expect([...running].sort()).toEqual([`${D}-main-3`, `${D}-main-4`, `${D}-main-5`]);
    expect(created.sort()).toEqual([`${D}-main-3`, `${D}-main-4`, `${D}-main-5`]);
    expect(minRunning).toBeGreaterThanOrEqual(2);
  });
});
