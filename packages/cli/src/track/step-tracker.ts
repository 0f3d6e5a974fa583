/**
 * `--track` as a pure reducer: given the tracker's state and the latest snapshot of a plan
 * attempt, which events are new. Each step is reported once when it starts and once when it
 * completes (a step first seen already completed is reported only as completed), and the attempt
 * once when it ends. The polling loop prints what this returns and nothing else.
 */
import { type PlanAttempt, type PlanStep } from '@wharf/model';
import { formatDuration } from '../output/format';

/** The fields of an attempt the tracker reads (the API may send more). */
export type AttemptSnapshot = Pick<PlanAttempt, 'plan_attempt_id' | 'status' | 'plan_attempt_log'> &
  Partial<Pick<PlanAttempt, 'plan_id' | 'attempt_start_time' | 'attempt_end_time' | 'error'>>;

/** Terminal attempt statuses. */
export const FINAL_STATUSES = ['success', 'error', 'cancelled'] as const;

/** A terminal attempt status. */
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** What the tracker has reported so far. */
export interface StepTrackerState {
  /** The attempt being followed, once one was seen. */
  readonly attemptId?: string;
  /** Keys (`<index>:<step_id>`) of steps reported as started. */
  readonly started: ReadonlySet<string>;
  /** Keys of steps reported as completed. */
  readonly completed: ReadonlySet<string>;
  readonly finished: boolean;
}

/** The state before anything was seen. */
export const INITIAL_TRACKER_STATE: StepTrackerState = Object.freeze({
  started: new Set<string>(),
  completed: new Set<string>(),
  finished: false,
});

/** Something worth one line of output. */
export type TrackEvent =
  | { kind: 'attempt-started'; attemptId: string }
  | { kind: 'step-started'; stepId: string }
  | { kind: 'step-completed'; stepId: string; status: string; durationMs?: number; message?: string }
  | {
      kind: 'attempt-finished';
      status: FinalStatus;
      durationMs?: number;
      failureType?: string;
      message?: string;
    };

/** The new state and the events `attempt` adds to what `state` already reported. */
export function advanceTracker(
  state: StepTrackerState,
  attempt: AttemptSnapshot,
): { state: StepTrackerState; events: TrackEvent[] } {
  if (state.finished || (state.attemptId !== undefined && state.attemptId !== attempt.plan_attempt_id)) {
    return { state, events: [] };
  }
  const events: TrackEvent[] = [];
  if (state.attemptId === undefined)
    events.push({ kind: 'attempt-started', attemptId: attempt.plan_attempt_id });
  const started = new Set(state.started);
  const completed = new Set(state.completed);
  attempt.plan_attempt_log.forEach((step, index) => {
    const key = `${index}:${step.step_id}`;
    if (isCompleted(step)) {
      if (!completed.has(key)) {
        completed.add(key);
        started.add(key);
        events.push(completedEvent(step));
      }
    } else if (!started.has(key)) {
      started.add(key);
      events.push({ kind: 'step-started', stepId: step.step_id });
    }
  });
  const finished = isFinal(attempt.status);
  if (finished) events.push(finishedEvent(attempt));
  return { state: { attemptId: attempt.plan_attempt_id, started, completed, finished }, events };
}

/** One line for an event. */
export function formatTrackEvent(event: TrackEvent): string {
  switch (event.kind) {
    case 'attempt-started':
      return `plan attempt ${event.attemptId}`;
    case 'step-started':
      return `  ${event.stepId}: started`;
    case 'step-completed': {
      const took = event.durationMs === undefined ? '' : ` in ${formatDuration(event.durationMs)}`;
      return `  ${event.stepId}: ${event.status}${took}${event.message ? ` (${event.message})` : ''}`;
    }
    case 'attempt-finished': {
      const took = event.durationMs === undefined ? '' : ` in ${formatDuration(event.durationMs)}`;
      if (event.status === 'success') return `plan completed: success${took}`;
      const verb = event.status === 'cancelled' ? 'cancelled' : 'failed';
      const what = [event.failureType, event.message].filter((s) => s !== undefined && s !== '').join(': ');
      return `plan ${verb}${took}${what ? `: ${what}` : ''}`;
    }
  }
}

/** The exit code of a tracked attempt that ended with `status`. */
export function exitCodeFor(status: FinalStatus): number {
  return status === 'success' ? 0 : 1;
}

/**
 * The attempt to follow among `attempts`: the one already followed; else the one for `planId`;
 * else the oldest whose id is not in `known` (attempts that existed before the request).
 */
export function selectAttempt(
  attempts: readonly AttemptSnapshot[],
  followed: string | undefined,
  planId: string | undefined,
  known: ReadonlySet<string>,
): AttemptSnapshot | undefined {
  if (followed !== undefined) return attempts.find((a) => a.plan_attempt_id === followed);
  if (planId !== undefined) {
    const byPlan = attempts.find((a) => a.plan_id === planId);
    if (byPlan) return byPlan;
  }
  const fresh = attempts.filter((a) => !known.has(a.plan_attempt_id));
  return [...fresh].sort((a, b) => startOf(a) - startOf(b))[0];
}

function isCompleted(step: PlanStep): boolean {
  return step.stage === 'completed' || step.completed !== undefined;
}

function isFinal(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

function completedEvent(step: PlanStep): TrackEvent {
  const durationMs = step.duration_in_millis ?? between(step.started, step.completed);
  const failed = step.status === 'error' || step.status === 'warning';
  const message = failed ? step.info_log.at(-1)?.message : undefined;
  return {
    kind: 'step-completed',
    stepId: step.step_id,
    status: step.status,
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(message === undefined ? {} : { message }),
  };
}

function finishedEvent(attempt: AttemptSnapshot): TrackEvent {
  const status = attempt.status as FinalStatus;
  const durationMs = between(attempt.attempt_start_time, attempt.attempt_end_time);
  let failureType = attempt.error?.failure_type;
  let message = attempt.error?.message;
  if (status !== 'success' && failureType === undefined) {
    // No attempt-level error: the last step log line that names a failure type says why.
    const entry = attempt.plan_attempt_log
      .flatMap((step) => step.info_log)
      .filter((e) => e.failure_type !== undefined)
      .at(-1);
    failureType = entry?.failure_type;
    message ??= entry?.message;
  }
  return {
    kind: 'attempt-finished',
    status,
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(failureType === undefined ? {} : { failureType }),
    ...(message === undefined || status === 'success' ? {} : { message }),
  };
}

function between(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function startOf(attempt: AttemptSnapshot): number {
  const t = attempt.attempt_start_time === undefined ? NaN : Date.parse(attempt.attempt_start_time);
  return Number.isFinite(t) ? t : Number.MAX_SAFE_INTEGER;
}
