import { STEP_IDS, validateDocument } from '@wharf/model';
import {
  MAX_INFO_LOG_PER_STEP,
  beginStep,
  endStep,
  finishAttempt,
  isActive,
  logStep,
  newAttempt,
} from './step-log';

const T = Date.parse('2024-01-01T00:00:00.000Z');
const fresh = () =>
  newAttempt({ attemptId: 'a-1', planId: 'p-1', deploymentId: 'd1', leader: 'c1', nowMs: T, state: {} });

describe('step log', () => {
  it('records a step in ECE shape: started, completed, duration, info_log', () => {
    let a = beginStep(fresh(), STEP_IDS.validatePlanSafety, T);
    a = logStep(a, STEP_IDS.validatePlanSafety, 'strategy supported', T + 5, { strategy: 'grow_and_shrink' });
    a = endStep(a, STEP_IDS.validatePlanSafety, 'success', T + 20);
    const step = a.plan_attempt_log[0]!;
    expect(step).toMatchObject({
      step_id: 'validate-plan-safety',
      status: 'success',
      stage: 'completed',
      started: '2024-01-01T00:00:00.000Z',
      completed: '2024-01-01T00:00:00.020Z',
      duration_in_millis: 20,
    });
    expect(step.info_log.map((l) => l.stage)).toEqual(['starting', 'in_progress', 'completed']);
    expect(validateDocument('plan-attempt', a).ok).toBe(true);
  });

  it('does not open a step twice when a resumed attempt begins it again', () => {
    let a = beginStep(fresh(), STEP_IDS.allocateInstances, T);
    a = beginStep(a, STEP_IDS.allocateInstances, T + 1);
    expect(a.plan_attempt_log).toHaveLength(1);
    expect(a.plan_attempt_log[0]!.info_log.at(-1)!.message).toBe('step resumed');
  });

  it('bounds info_log, keeping the first line', () => {
    let a = beginStep(fresh(), STEP_IDS.waitUntilRunning, T);
    for (let i = 0; i < 100; i++) a = logStep(a, STEP_IDS.waitUntilRunning, `line ${i}`, T + i);
    const log = a.plan_attempt_log[0]!.info_log;
    expect(log).toHaveLength(MAX_INFO_LOG_PER_STEP);
    expect(log[0]!.message).toBe('step started');
    expect(log.at(-1)!.message).toBe('line 99');
  });

  it('records a failure type on a failed step and ends the attempt with an error', () => {
    let a = beginStep(fresh(), STEP_IDS.allocateInstances, T);
    a = endStep(a, STEP_IDS.allocateInstances, 'error', T + 1, 'no capacity', 'ClusterFailure:NoCapacity');
    a = finishAttempt(a, 'error', T + 2, {
      message: 'no capacity',
      failure_type: 'ClusterFailure:NoCapacity',
    });
    expect(a.plan_attempt_log[0]!.info_log.at(-1)!.failure_type).toBe('ClusterFailure:NoCapacity');
    expect(a).toMatchObject({
      status: 'error',
      healthy: false,
      attempt_end_time: '2024-01-01T00:00:00.002Z',
    });
    expect(isActive(a)).toBe(false);
    expect(isActive(fresh())).toBe(true);
    expect(validateDocument('plan-attempt', a).ok).toBe(true);
  });
});
