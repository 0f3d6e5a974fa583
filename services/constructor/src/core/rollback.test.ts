import { STEP_IDS } from '@wharf/model';
import { etcdPlanDoc, specDoc } from '../../test/fixtures';
import { initialState, stepsOf, type AttemptState } from './attempt-state';
import { createdByAttempt, routeToRestore } from './rollback';
import { computeChanges } from './validate-plan';

const D = 'd1';
const specs = [specDoc(D, 0, 'a1', 'zone-a'), specDoc(D, 1, 'b1', 'zone-b'), specDoc(D, 2, 'c1', 'zone-c')];

function resizeState(): AttemptState {
  const plan = etcdPlanDoc(D, { memoryMb: 512 });
  const changes = computeChanges({ deploymentId: D, plan, current: etcdPlanDoc(D), specs, statusIds: [] });
  return { ...initialState(plan, 0), changes };
}

describe('createdByAttempt', () => {
  it('selects only this deployment’s specs carrying the attempt id', () => {
    const mine = specDoc(D, 3, 'a1', 'zone-a', { plan_attempt_id: 'att' });
    const other = specDoc('d2', 0, 'a1', 'zone-a', { plan_attempt_id: 'att' });
    expect(createdByAttempt([...specs, mine, other], D, 'att')).toEqual([mine]);
  });
});

describe('routeToRestore', () => {
  it('restores the old members only once the cursor reached update-routing', () => {
    const state = resizeState();
    const routedAt = stepsOf(state).indexOf(STEP_IDS.updateRouting);
    expect(routeToRestore({ ...state, cursor: routedAt - 1 })).toBeUndefined();
    const restored = routeToRestore({ ...state, cursor: routedAt });
    expect(restored?.map((m) => m.spec.instance_id)).toEqual(specs.map((s) => s.instance_id));
  });

  it('never restores for a shutdown or before a change set exists', () => {
    const state = resizeState();
    expect(
      routeToRestore({ ...state, cursor: 99, changes: { ...state.changes!, shutdown: true } }),
    ).toBeUndefined();
    expect(routeToRestore({ ...state, changes: undefined } as AttemptState)).toBeUndefined();
  });
});
