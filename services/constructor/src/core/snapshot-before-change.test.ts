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
const changesOf = (result: ReturnType<typeof planChanges>): ChangeSet => {
  if (!result.ok) throw result.error;
  return result.changes;
};

describe('snapshot before a destructive change', () => {
  it('a shrink snapshots right after validation, before the leave and the removal', () => {
    const current = etcdPlanDoc(D, { zoneCount: 3 });
    const shrink = changesOf(planChanges(current, etcdPlanDoc(D, { zoneCount: 1 }), three()));
    const c = withSnapshotBeforeChange(shrink, () => true);
    expect(c.steps[1]).toBe(STEP_IDS.snapshotBeforeChange);
    expect(c.steps.indexOf(STEP_IDS.snapshotBeforeChange)).toBeLessThan(
      c.steps.indexOf(STEP_IDS.removeInstances),
    );
    expect(c.steps.slice(2)).toEqual(shrink.steps.slice(1));
    expect(c.step_groups).toHaveLength(c.steps.length);
    // Applied twice (a resumed validation): one step only.
    expect(withSnapshotBeforeChange(c, () => true).steps).toEqual(c.steps);
  });

  it('no step for a growth, nor for a stack without snapshots', () => {
    const current = etcdPlanDoc(D, { zoneCount: 1 });
    const grow = changesOf(planChanges(current, etcdPlanDoc(D, { zoneCount: 3 }), three().slice(0, 1)));
    expect(withSnapshotBeforeChange(grow, () => true)).toBe(grow);
    const shrink = changesOf(planChanges(etcdPlanDoc(D, { zoneCount: 3 }), current, three()));
    expect(withSnapshotBeforeChange(shrink, () => false)).toBe(shrink);
  });
});
