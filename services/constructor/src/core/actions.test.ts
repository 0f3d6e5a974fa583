import { STEP_IDS, isWharfError } from '@wharf/model';
import { etcdPlanDoc, specDoc } from '../../test/fixtures';
import { actionSteps, instanceActions, isStoppedAt, wantsStopped } from './actions';
import { planChanges, type ChangeSet } from './changes';
import { drainingMembers, targetMembers } from './route-members';

const D = 'd1';
const ids = (list: { instance_id: string }[] | undefined) => (list ?? []).map((i) => i.instance_id);
const routed = (c: ChangeSet) => targetMembers(c, undefined).map((m) => m.spec.instance_id);

function ok(result: ReturnType<typeof planChanges>): ChangeSet {
  if (!result.ok) throw result.error;
  return result.changes;
}

const three = (stopped: number[] = []) =>
  [specDoc(D, 0, 'a1', 'zone-a'), specDoc(D, 1, 'b1', 'zone-b'), specDoc(D, 2, 'c1', 'zone-c')].map((s, i) =>
    stopped.includes(i) ? { ...s, stopped: true } : s,
  );

describe('wantsStopped / instanceActions', () => {
  it('reads `stopped.all` and `stopped.instances`', () => {
    expect(wantsStopped({ stopped: { all: true } }, 'x')).toBe(true);
    expect(wantsStopped({ stopped: { instances: ['x'] } }, 'x')).toBe(true);
    expect(wantsStopped({ stopped: { instances: ['y'] } }, 'x')).toBe(false);
    expect(wantsStopped({}, 'x')).toBe(false);
  });

  it('stops what is wanted stopped and runs, resumes what is stopped and no longer wanted', () => {
    const specs = three([1]);
    const refs = specs.map((s) => ({ ...s, memory_mb: s.memory_mb }));
    const a = instanceActions({ stopped: { instances: [`${D}-main-0`] } }, refs, specs);
    expect(ids(a.stop)).toEqual([`${D}-main-0`]);
    expect(ids(a.resume)).toEqual([`${D}-main-1`]);
    expect(a.stopped).toEqual([`${D}-main-0`]);
  });
});

describe('planChanges with stopped instances', () => {
  const plan = (stopped?: object) => ({
    ...etcdPlanDoc(D, { zoneCount: 3 }),
    ...(stopped ? { stopped } : {}),
  });

  it('a shutdown keeps every instance, stops them all, drains first and marks the route shut down', () => {
    const c = ok(planChanges(plan(), plan({ all: true }), three()));
    const r = c.resources[0]!;
    expect(r.remove).toEqual([]);
    expect(r.create).toEqual([]);
    expect(ids(r.stop)).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`]);
    expect(c.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.updateRouting,
      STEP_IDS.stopInstances,
      STEP_IDS.planCompleted,
    ]);
    expect(c.route_shutdown).toBe(true);
    expect(c.shutdown).toBe(false);
    expect(routed(c)).toEqual([]);
    expect(drainingMembers(c).map((m) => m.spec.instance_id)).toHaveLength(3);
  });

  it('a start of a shut-down deployment resumes every instance before routing them', () => {
    const c = ok(planChanges(plan({ all: true }), plan(), three([0, 1, 2])));
    expect(ids(c.resources[0]!.resume)).toHaveLength(3);
    expect(c.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.resumeInstances,
      STEP_IDS.updateRouting,
      STEP_IDS.planCompleted,
    ]);
    expect(c.route_shutdown).toBeUndefined();
    expect(routed(c)).toHaveLength(3);
  });

  it('stopping one instance keeps routing the other two; an already stopped one is left alone', () => {
    const c = ok(planChanges(plan(), plan({ instances: [`${D}-main-1`, `${D}-main-2`] }), three([2])));
    const r = c.resources[0]!;
    expect(ids(r.stop)).toEqual([`${D}-main-1`]);
    expect(r.resume).toBeUndefined();
    expect(routed(c)).toEqual([`${D}-main-0`]);
    expect(c.route_shutdown).toBeUndefined();
  });

  it('an ordinary plan keeps stopped members (no replacement) and does not route them', () => {
    const stopped = { instances: [`${D}-main-2`] };
    const c = ok(planChanges(plan(stopped), plan(stopped), three([2])));
    expect(c.resources[0]!.remove).toEqual([]);
    expect(c.resources[0]!.create).toEqual([]);
    expect(routed(c)).toEqual([`${D}-main-0`, `${D}-main-1`]);
    expect(c.steps).not.toContain(STEP_IDS.stopInstances);
  });

  it('refuses a plan that stops instances and also grows the deployment', () => {
    const grow = { ...etcdPlanDoc(D, { zoneCount: 5 }), stopped: { instances: [`${D}-main-0`] } };
    const result = planChanges(plan(), grow, three());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isWharfError(result.error, 'WHARF_PLAN_INVALID')).toBe(true);
  });
});

describe('actionSteps / isStoppedAt', () => {
  it('runs the stop steps before the resume steps when a plan does both', () => {
    const ref = {
      instance_id: 'i',
      allocator_id: 'a',
      zone: 'z',
      ref_id: 'main',
      topology_id: 't',
      memory_mb: 1,
    };
    expect(actionSteps([{ create: [], remove: [], stop: [ref], resume: [ref] }])).toEqual({
      kind: 'steps',
      steps: [
        STEP_IDS.validatePlanSafety,
        STEP_IDS.updateRouting,
        STEP_IDS.stopInstances,
        STEP_IDS.resumeInstances,
        STEP_IDS.updateRouting,
        STEP_IDS.planCompleted,
      ],
    });
    expect(actionSteps([{ create: [], remove: [] }])).toEqual({ kind: 'none' });
  });

  it('counts reserved or stopped at the written generation as stopped, not an older report', () => {
    expect(isStoppedAt({ state: 'reserved', generation: 3 }, 3)).toBe(true);
    expect(isStoppedAt({ state: 'stopped', generation: 4 }, 3)).toBe(true);
    expect(isStoppedAt({ state: 'running', generation: 3 }, 3)).toBe(false);
    expect(isStoppedAt({ state: 'reserved', generation: 2 }, 3)).toBe(false);
    expect(isStoppedAt(undefined, 3)).toBe(false);
  });
});
