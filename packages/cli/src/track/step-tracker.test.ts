import { type PlanStep } from '@wharf/model';
import {
  type AttemptSnapshot,
  INITIAL_TRACKER_STATE,
  type StepTrackerState,
  advanceTracker,
  exitCodeFor,
  formatTrackEvent,
  selectAttempt,
} from './step-tracker';

const T0 = '2025-01-01T00:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

function step(step_id: string, stage: PlanStep['stage'], extra: Partial<PlanStep> = {}): PlanStep {
  return { step_id, stage, status: stage === 'completed' ? 'success' : 'pending', info_log: [], ...extra };
}
function done(step_id: string, ms: number, extra: Partial<PlanStep> = {}): PlanStep {
  return step(step_id, 'completed', { duration_in_millis: ms, ...extra });
}
function attempt(log: PlanStep[], extra: Partial<AttemptSnapshot> = {}): AttemptSnapshot {
  return {
    plan_attempt_id: 'a1',
    plan_id: 'p1',
    status: 'running',
    attempt_start_time: T0,
    plan_attempt_log: log,
    ...extra,
  };
}

/** Feeds snapshots in order and returns the printed lines of each. */
function feed(snapshots: AttemptSnapshot[], state: StepTrackerState = INITIAL_TRACKER_STATE): string[][] {
  return snapshots.map((snapshot) => {
    const next = advanceTracker(state, snapshot);
    state = next.state;
    return next.events.map(formatTrackEvent);
  });
}

describe('advanceTracker', () => {
  it('prints each step once when it starts and once when it completes', () => {
    const printed = feed([
      attempt([step('validate-plan-safety', 'starting')]),
      attempt([step('validate-plan-safety', 'in_progress')]),
      attempt([done('validate-plan-safety', 12), step('allocate-instances', 'in_progress')]),
      attempt([done('validate-plan-safety', 12), step('allocate-instances', 'in_progress')]),
      attempt([done('validate-plan-safety', 12), done('allocate-instances', 1500)]),
    ]);
    expect(printed).toEqual([
      ['plan attempt a1', '  validate-plan-safety: started'],
      [],
      ['  validate-plan-safety: success in 12ms', '  allocate-instances: started'],
      [],
      ['  allocate-instances: success in 1.5s'],
    ]);
  });

  it('reports a step first seen completed only as completed', () => {
    const printed = feed([
      attempt([]),
      attempt([done('allocate-instances', 80), done('start-instances', 61_000)]),
    ]);
    expect(printed[1]).toEqual([
      '  allocate-instances: success in 80ms',
      '  start-instances: success in 1m01s',
    ]);
  });

  it('takes the duration from timestamps when duration_in_millis is missing', () => {
    const printed = feed([
      attempt([step('update-routing', 'completed', { started: at(0), completed: at(250) })]),
    ]);
    expect(printed[0]).toContain('  update-routing: success in 250ms');
  });

  it('keeps repeated step ids apart by position', () => {
    const printed = feed([
      attempt([done('wait-until-running', 5)]),
      attempt([done('wait-until-running', 5), step('wait-until-running', 'in_progress')]),
    ]);
    expect(printed[1]).toEqual(['  wait-until-running: started']);
  });

  it('ends on success with the attempt duration', () => {
    const printed = feed([
      attempt([done('plan-completed', 3)], { status: 'success', attempt_end_time: at(12_300) }),
    ]);
    expect(printed[0]!.at(-1)).toBe('plan completed: success in 12.3s');
  });

  it('ends on error with the failure type and message, and the failed step says why', () => {
    const failed = done('allocate-instances', 40, {
      status: 'error',
      info_log: [{ timestamp: at(40), stage: 'completed', message: 'no allocator has 1000000 MB free' }],
    });
    const snapshot = attempt([failed, done('rollback', 10), done('plan-completed', 1, { status: 'error' })], {
      status: 'error',
      attempt_end_time: at(2000),
      error: { failure_type: 'ClusterFailure:NoCapacity', message: 'not enough capacity' },
    });
    const next = advanceTracker(INITIAL_TRACKER_STATE, snapshot);
    expect(next.events.map(formatTrackEvent)).toEqual([
      'plan attempt a1',
      '  allocate-instances: error in 40ms (no allocator has 1000000 MB free)',
      '  rollback: success in 10ms',
      '  plan-completed: error in 1ms',
      'plan failed in 2.0s: ClusterFailure:NoCapacity: not enough capacity',
    ]);
    expect(next.state.finished).toBe(true);
    expect(exitCodeFor('error')).toBe(1);
    expect(exitCodeFor('success')).toBe(0);
  });

  it('finds the failure type in the step logs when the attempt has no error', () => {
    const log = [
      done('plan-completed', 1, {
        status: 'error',
        info_log: [
          {
            timestamp: at(1),
            stage: 'completed',
            message: 'timed out',
            failure_type: 'ClusterFailure:Timeout',
          },
        ],
      }),
    ];
    const [lines] = feed([attempt(log, { status: 'error' })]);
    expect(lines!.at(-1)).toBe('plan failed: ClusterFailure:Timeout: timed out');
  });

  it('says cancelled for a cancelled attempt', () => {
    const [lines] = feed([
      attempt([], {
        status: 'cancelled',
        error: { failure_type: 'models.ForcedRollback:UserInitiated', message: 'cancelled' },
      }),
    ]);
    expect(lines!.at(-1)).toBe('plan cancelled: models.ForcedRollback:UserInitiated: cancelled');
  });

  it('prints nothing more once finished, and ignores other attempts', () => {
    const first = advanceTracker(INITIAL_TRACKER_STATE, attempt([], { status: 'success' }));
    expect(advanceTracker(first.state, attempt([done('x', 1)], { status: 'success' })).events).toEqual([]);
    const following = advanceTracker(INITIAL_TRACKER_STATE, attempt([])).state;
    expect(advanceTracker(following, attempt([done('x', 1)], { plan_attempt_id: 'other' })).events).toEqual(
      [],
    );
  });
});

describe('selectAttempt', () => {
  const old = attempt([], {
    plan_attempt_id: 'old',
    plan_id: 'p0',
    attempt_start_time: at(0),
    status: 'success',
  });
  const mine = attempt([], { plan_attempt_id: 'mine', plan_id: 'p1', attempt_start_time: at(10) });
  const later = attempt([], { plan_attempt_id: 'later', plan_id: 'p2', attempt_start_time: at(20) });
  const newestFirst = [later, mine, old];

  it('keeps following the attempt already followed', () => {
    expect(selectAttempt(newestFirst, 'old', 'p1', new Set())).toBe(old);
    expect(selectAttempt([later], 'mine', undefined, new Set())).toBeUndefined();
  });

  it('picks the attempt of the plan the request created', () => {
    expect(selectAttempt(newestFirst, undefined, 'p1', new Set())).toBe(mine);
  });

  it('otherwise picks the oldest attempt that did not exist before the request', () => {
    expect(selectAttempt(newestFirst, undefined, undefined, new Set(['old']))).toBe(mine);
    expect(selectAttempt([old], undefined, 'p9', new Set(['old']))).toBeUndefined();
  });
});
