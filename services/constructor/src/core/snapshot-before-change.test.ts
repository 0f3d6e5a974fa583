import { STEP_IDS } from '@wharf/model';
import { etcdPlanDoc, specDoc } from '../../test/fixtures';
import { planChanges, type ChangeSet } from './changes';
import { withSnapshotBeforeChange } from './snapshot-before-change';

const D = 'd1';
const three = () => [
  specDoc(D, 0, 'a1', 'zone-a'),
  specDoc(D, 1, 'b1', 'zone-b'),
  specDoc(D, 2, 'c1', 'zone-c'),
];
const shrinkPlan = { source: { action: 'update' as const } };
const changesOf = (result: ReturnType<typeof planChanges>): ChangeSet => {
  if (!result.ok) throw result.error;
  return result.changes;
};

describe('snapshot before a destructive change', () => {
  it('a shrink snapshots right after validation, before the leave and the removal', () => {
    const current = etcdPlanDoc(D, { zoneCount: 3 });
    const shrink = changesOf(planChanges(current, etcdPlanDoc(D, { zoneCount: 1 }), three()));
    const c = withSnapshotBeforeChange(shrinkPlan, shrink, () => true);
    expect(c.steps[1]).toBe(STEP_IDS.snapshotBeforeChange);
    expect(c.steps.indexOf(STEP_IDS.snapshotBeforeChange)).toBeLessThan(
      c.steps.indexOf(STEP_IDS.removeInstances),
    );
    expect(c.steps.slice(2)).toEqual(shrink.steps.slice(1));
    expect(c.step_groups).toHaveLength(c.steps.length);
    // Applied twice (a resumed validation): one step only.
    expect(withSnapshotBeforeChange(shrinkPlan, c, () => true).steps).toEqual(c.steps);
  });

  it('no step for a growth, nor for a stack without snapshots', () => {
    const current = etcdPlanDoc(D, { zoneCount: 1 });
    const grow = changesOf(planChanges(current, etcdPlanDoc(D, { zoneCount: 3 }), three().slice(0, 1)));
    expect(withSnapshotBeforeChange(shrinkPlan, grow, () => true)).toBe(grow);
    const shrink = changesOf(planChanges(etcdPlanDoc(D, { zoneCount: 3 }), current, three()));
    expect(withSnapshotBeforeChange(shrinkPlan, shrink, () => false)).toBe(shrink);
  });

  it('no step for a recovery: it removes only members already lost with their host', () => {
    const shrink = changesOf(
      planChanges(etcdPlanDoc(D, { zoneCount: 3 }), etcdPlanDoc(D, { zoneCount: 1 }), three()),
    );
    expect(withSnapshotBeforeChange({ source: { action: 'recover' } }, shrink, () => true)).toBe(shrink);
  });
});
