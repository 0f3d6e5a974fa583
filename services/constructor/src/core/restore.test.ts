import { STEP_IDS, isWharfError } from '@wharf/model';
import { etcdPlanDoc, specDoc } from '../../test/fixtures';
import { planChanges } from './changes';
import { movePlan } from './moves';
import { dataAgeSeconds, restoreSteps } from './restore';

const D = 'd1';
const restore = { snapshot: 's-1', sha256: 'a'.repeat(64), created: '2026-01-01T00:00:00.000Z' };
const three = () => [
  specDoc(D, 0, 'a1', 'zone-a'),
  specDoc(D, 1, 'b1', 'zone-b'),
  specDoc(D, 2, 'c1', 'zone-c'),
];

describe('restore plans', () => {
  it('restore in place: keep every instance, restore-snapshot between validation and completion', () => {
    const current = etcdPlanDoc(D, { zoneCount: 3 });
    const result = planChanges(current, { ...current, restore }, three());
    if (!result.ok) throw result.error;
    const r = result.changes.resources[0]!;
    expect([r.create, r.remove, r.stop ?? []]).toEqual([[], [], []]);
    expect(r.keep).toHaveLength(3);
    expect(result.changes.restore).toEqual(restore);
    expect(result.changes.steps).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.restoreSnapshot,
      STEP_IDS.planCompleted,
    ]);
  });

  it('a restore plan that would also grow is refused as invalid', () => {
    const current = etcdPlanDoc(D, { zoneCount: 3 });
    const grown = { ...etcdPlanDoc(D, { zoneCount: 3 }), restore };
    const result = planChanges(current, grown, three().slice(0, 2));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(isWharfError(result.error, 'WHARF_PLAN_INVALID')).toBe(true);
    expect(restoreSteps({ restore, stopped: { all: true } }, [{ create: [], remove: [] }]).kind).toBe(
      'mixed',
    );
    expect(restoreSteps({}, [{ create: [], remove: [] }]).kind).toBe('none');
  });

  it('a move or recovery built from a current plan never carries a restore again', () => {
    const current = { ...etcdPlanDoc(D, { zoneCount: 3 }), restore };
    const moved = movePlan(
      current,
      { instances: [`${D}-main-0`] },
      { action: 'recover' },
      'p2',
      restore.created,
    );
    expect(moved.restore).toBeUndefined();
  });

  it('a recovery of a wholly lost member starts a new cluster and restores before routing it', () => {
    const current = etcdPlanDoc(D, { zoneCount: 1 });
    const recover = {
      ...movePlan(current, { instances: [`${D}-main-0`] }, { action: 'recover' }, 'p2', restore.created),
      restore,
    };
    const result = planChanges(current, recover, three().slice(0, 1), { move: [`${D}-main-0`] });
    if (!result.ok) throw result.error;
    const r = result.changes.resources[0]!;
    expect(r.cluster).toEqual({ state: 'new' });
    const steps = result.changes.steps;
    expect(steps.indexOf(STEP_IDS.restoreSnapshot)).toBe(steps.indexOf(STEP_IDS.waitUntilRunning) + 1);
    expect(steps.indexOf(STEP_IDS.restoreSnapshot)).toBeLessThan(steps.indexOf(STEP_IDS.updateRouting));
    expect(steps).not.toContain(STEP_IDS.leaveCluster);
    expect(result.changes.step_groups).toHaveLength(steps.length);
    // A move request of a live single member keeps its cluster (it joins, then the old one leaves);
    // with a restore block it is not a rebuild and is refused.
    const move = movePlan(current, { instances: [`${D}-main-0`] }, { action: 'move' }, 'p3', restore.created);
    const moved = planChanges(current, move, three().slice(0, 1), { move: [`${D}-main-0`] });
    if (!moved.ok) throw moved.error;
    expect(moved.changes.resources[0]!.cluster.state).toBe('existing');
    expect(
      planChanges(current, { ...move, restore }, three().slice(0, 1), { move: [`${D}-main-0`] }).ok,
    ).toBe(false);
  });

  it('says how old the data is, never negative', () => {
    expect(dataAgeSeconds(restore.created, Date.parse(restore.created) + 90_500)).toBe(91);
    expect(dataAgeSeconds(restore.created, Date.parse(restore.created) - 5_000)).toBe(0);
  });
});
