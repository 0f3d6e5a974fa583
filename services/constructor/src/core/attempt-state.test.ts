import { STEP_IDS } from '@wharf/model';
import { etcdPlanDoc, shutdownPlanDoc } from '../../test/fixtures';
import {
  DEFAULT_PLAN_TIMEOUT_SECONDS,
  currentStep,
  initialState,
  parseAttemptState,
  pastPointOfNoReturn,
  planTimeoutMs,
  serializeState,
} from './attempt-state';
import { planChanges } from './changes';
import { specDoc } from '../../test/fixtures';

describe('attempt state', () => {
  it('round-trips through serialisation', () => {
    const state = initialState(etcdPlanDoc('d1'), 123);
    expect(parseAttemptState(serializeState(state))).toEqual(state);
    expect(currentStep(state)).toBe(STEP_IDS.validatePlanSafety);
  });

  it('rejects malformed state', () => {
    expect(parseAttemptState(undefined)).toBeUndefined();
    expect(parseAttemptState({ cursor: 0 })).toBeUndefined();
    expect(parseAttemptState({ ...initialState(etcdPlanDoc('d1'), 1), cursor: -1 })).toBeUndefined();
    expect(parseAttemptState({ ...initialState(etcdPlanDoc('d1'), 1), phase: 'sideways' })).toBeUndefined();
  });

  it('takes the timeout from plan_configuration, else the default', () => {
    expect(planTimeoutMs(etcdPlanDoc('d1', { timeoutSeconds: 30 }))).toBe(30_000);
    expect(planTimeoutMs(etcdPlanDoc('d1'))).toBe(DEFAULT_PLAN_TIMEOUT_SECONDS * 1000);
    expect(planTimeoutMs(shutdownPlanDoc('d1'))).toBe(DEFAULT_PLAN_TIMEOUT_SECONDS * 1000);
  });

  it('passes the point of no return when old instances start leaving', () => {
    const specs = [0, 1, 2, 3, 4].map((n) => specDoc('d1', n, `a${n}`, 'zone-a'));
    const result = planChanges(null, etcdPlanDoc('d1', { zoneCount: 3 }), specs);
    if (!result.ok) throw result.error;
    const state = { ...initialState(etcdPlanDoc('d1'), 1), changes: result.changes };
    const leaveAt = result.changes.steps.indexOf(STEP_IDS.leaveCluster);
    expect(pastPointOfNoReturn({ ...state, cursor: leaveAt - 1 })).toBe(false);
    expect(pastPointOfNoReturn({ ...state, cursor: leaveAt })).toBe(true);
  });
});
