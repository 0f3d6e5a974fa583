import { FAILURE_TYPES, STEP_IDS, isWharfError } from '@wharf/model';
import { etcdPlanDoc, shutdownPlanDoc, specDoc } from '../../test/fixtures';
import { pickSpread, planChanges, type ChangeSet } from './changes';
import { desiredInstances } from './desired';

const D = 'd1';
const ids = (list: { instance_id: string }[]) => list.map((i) => i.instance_id);

function ok(result: ReturnType<typeof planChanges>): ChangeSet {
  if (!result.ok) throw result.error;
  return result.changes;
}

/** Three running instances, one per zone. */
const three = () => [
  specDoc(D, 0, 'a1', 'zone-a'),
  specDoc(D, 1, 'b1', 'zone-b'),
  specDoc(D, 2, 'c1', 'zone-c'),
];

describe('desiredInstances', () => {
  it('asks for zone_count instances per topology element with memory = size.value', () => {
    const desired = desiredInstances(etcdPlanDoc(D, { zoneCount: 3, memoryMb: 512 }));
    expect(desired).toHaveLength(3);
    expect(desired.map((d) => d.ordinal)).toEqual([0, 1, 2]);
    expect(desired.every((d) => d.memory_mb === 512 && d.kind === 'etcd' && d.version === '3.4')).toBe(true);
  });

  it('asks for nothing in a shutdown plan', () => {
    expect(desiredInstances(shutdownPlanDoc(D))).toEqual([]);
  });
});

describe('planChanges', () => {
  it('creates a new cluster of 3 from nothing', () => {
    const c = ok(planChanges(null, etcdPlanDoc(D), []));
    const r = c.resources[0]!;
    expect(ids(r.create)).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`]);
    expect(r.keep).toEqual([]);
    expect(r.remove).toEqual([]);
    expect(r.cluster).toEqual({ state: 'new' });
    expect(c.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.allocateInstances,
      STEP_IDS.startInstances,
      STEP_IDS.waitUntilRunning,
      STEP_IDS.updateRouting,
      STEP_IDS.planCompleted,
    ]);
  });

  it('grows 3 → 5 by adding two instances to the existing cluster and keeping the three', () => {
    const current = etcdPlanDoc(D, { zoneCount: 3 });
    const c = ok(planChanges(current, etcdPlanDoc(D, { zoneCount: 5 }), three()));
    const r = c.resources[0]!;
    expect(ids(r.keep)).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`]);
    expect(ids(r.create)).toEqual([`${D}-main-3`, `${D}-main-4`]);
    expect(r.remove).toEqual([]);
    expect(r.cluster).toEqual({ state: 'existing', token: `${D}-main-tok` });
    expect(c.steps).not.toContain(STEP_IDS.removeInstances);
    expect(c.steps).toContain(STEP_IDS.startInstances);
    // The joined members catch up before the route sends them traffic.
    expect(c.steps.slice(3, 6)).toEqual([
      STEP_IDS.waitUntilRunning,
      STEP_IDS.migrateData,
      STEP_IDS.updateRouting,
    ]);
  });

  it('has nothing to migrate when a new cluster starts', () => {
    const c = ok(planChanges(null, etcdPlanDoc(D, { zoneCount: 3 }), []));
    expect(c.resources[0]!.cluster).toEqual({ state: 'new' });
    expect(c.steps).not.toContain(STEP_IDS.migrateData);
  });

  it('shrinks 5 → 3 keeping one instance per zone and removing the newest duplicates', () => {
    const specs = [...three(), specDoc(D, 3, 'a2', 'zone-a'), specDoc(D, 4, 'b2', 'zone-b')];
    const c = ok(planChanges(etcdPlanDoc(D, { zoneCount: 5 }), etcdPlanDoc(D, { zoneCount: 3 }), specs));
    const r = c.resources[0]!;
    expect(ids(r.keep)).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`]);
    expect(ids(r.remove)).toEqual([`${D}-main-3`, `${D}-main-4`]);
    expect(r.create).toEqual([]);
    expect(r.dissolve).toBe(false);
    expect(c.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.updateRouting,
      STEP_IDS.leaveCluster,
      STEP_IDS.removeInstances,
      STEP_IDS.waitUntilStopped,
      STEP_IDS.planCompleted,
    ]);
  });

  it('replaces every instance when the size changes, new ids past the old ones', () => {
    const c = ok(planChanges(etcdPlanDoc(D), etcdPlanDoc(D, { memoryMb: 512 }), three()));
    const r = c.resources[0]!;
    expect(r.keep).toEqual([]);
    expect(ids(r.remove)).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`]);
    expect(ids(r.create)).toEqual([`${D}-main-3`, `${D}-main-4`, `${D}-main-5`]);
    expect(r.create.every((i) => i.memory_mb === 512)).toBe(true);
    // The old members still run while the new ones join, so they join the existing cluster.
    expect(r.cluster.state).toBe('existing');
    expect(c.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.allocateInstances,
      STEP_IDS.startInstances,
      STEP_IDS.waitUntilRunning,
      STEP_IDS.migrateData,
      STEP_IDS.updateRouting,
      STEP_IDS.leaveCluster,
      STEP_IDS.removeInstances,
      STEP_IDS.waitUntilStopped,
      STEP_IDS.planCompleted,
    ]);
  });

  it('replaces every instance when the version changes', () => {
    const c = ok(planChanges(etcdPlanDoc(D), etcdPlanDoc(D, { version: '3.5' }), three()));
    expect(c.resources[0]!.create.map((i) => i.version)).toEqual(['3.5', '3.5', '3.5']);
    expect(c.resources[0]!.remove).toHaveLength(3);
  });

  it('replaces every instance when the settings change, but not when only key order differs', () => {
    const specs = three().map((s) => ({ ...s, settings: { a: '1', b: '2' } }));
    const same = ok(planChanges(null, etcdPlanDoc(D, { settings: { b: '2', a: '1' } }), specs));
    expect(same.resources[0]!.keep).toHaveLength(3);
    const changed = ok(planChanges(null, etcdPlanDoc(D, { settings: { a: '1', b: '3' } }), specs));
    expect(changed.resources[0]!.remove).toHaveLength(3);
    expect(changed.resources[0]!.create).toHaveLength(3);
  });

  it('replaces every instance when the instance configuration changes', () => {
    const c = ok(
      planChanges(etcdPlanDoc(D), etcdPlanDoc(D, { instanceConfigurationId: 'etcd.big' }), three()),
    );
    expect(c.resources[0]!.remove).toHaveLength(3);
  });

  it('changes nothing for the same plan', () => {
    const c = ok(planChanges(etcdPlanDoc(D), etcdPlanDoc(D), three()));
    expect(c.resources[0]!.keep).toHaveLength(3);
    expect(c.steps).toEqual([STEP_IDS.validatePlanSafety, STEP_IDS.updateRouting, STEP_IDS.planCompleted]);
  });

  it('removes everything for a shutdown plan, without leave hooks', () => {
    const c = ok(planChanges(etcdPlanDoc(D), shutdownPlanDoc(D), three()));
    expect(c.shutdown).toBe(true);
    const r = c.resources[0]!;
    expect(ids(r.remove)).toHaveLength(3);
    expect(r.dissolve).toBe(true);
    expect(c.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.removeInstances,
      STEP_IDS.waitUntilStopped,
      STEP_IDS.planCompleted,
    ]);
  });

  it('removes instances left on hold by an earlier attempt and never reuses their ids', () => {
    const specs = [...three(), specDoc(D, 7, 'a1', 'zone-a', { hold: true })];
    const c = ok(planChanges(etcdPlanDoc(D), etcdPlanDoc(D, { zoneCount: 4 }), specs));
    expect(ids(c.resources[0]!.remove)).toEqual([`${D}-main-7`]);
    expect(ids(c.resources[0]!.create)).toEqual([`${D}-main-8`]);
  });

  it('never reuses an id still reserved elsewhere (a status whose spec is gone)', () => {
    const c = ok(planChanges(null, etcdPlanDoc(D, { zoneCount: 1 }), [], { reservedIds: [`${D}-main-4`] }));
    expect(ids(c.resources[0]!.create)).toEqual([`${D}-main-5`]);
  });

  it('ignores specs of other deployments', () => {
    const c = ok(planChanges(null, etcdPlanDoc(D), [specDoc('other', 0, 'a1', 'zone-a')]));
    expect(c.resources[0]!.remove).toEqual([]);
  });

  it.each([['rolling'], ['rolling_grow_and_shrink'], ['autodetect']])(
    'rejects the %s strategy',
    (strategy) => {
      const result = planChanges(null, etcdPlanDoc(D, { strategy: { [strategy]: {} } }), []);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(isWharfError(result.error, 'WHARF_STRATEGY_UNSUPPORTED')).toBe(true);
      expect(result.error.message).toContain(`strategy '${strategy}'`);
      expect(result.error.message).toContain('grow_and_shrink');
      expect(result.error.details).toMatchObject({ failure_type: FAILURE_TYPES.unsupportedStrategy });
    },
  );
});

describe('pickSpread', () => {
  it('keeps one per zone first, then the lowest indexes', () => {
    const specs = [
      specDoc(D, 0, 'a1', 'zone-a'),
      specDoc(D, 1, 'a2', 'zone-a'),
      specDoc(D, 2, 'b1', 'zone-b'),
      specDoc(D, 10, 'c1', 'zone-c'),
    ];
    expect(ids(pickSpread(specs, 3))).toEqual([`${D}-main-0`, `${D}-main-2`, `${D}-main-10`]);
    expect(ids(pickSpread(specs, 4))).toHaveLength(4);
    expect(ids(pickSpread(specs, 1))).toEqual([`${D}-main-0`]);
  });
});
