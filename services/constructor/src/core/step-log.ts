/**
 * The attempt document and its step log in ECE's shape (`plan_attempt_log[]` of `step_id,
 * status, stage, started, completed, duration_in_millis, info_log[]`). Pure: every function
 * returns a new attempt.
 */
import {
  SCHEMA_VERSION,
  type PlanAttempt,
  type PlanStep,
  type StepId,
  type StepLogEntry,
} from '@wharf/model';

/** Log lines kept per step: the schema allows 200, a znode should stay a few KB. */
export const MAX_INFO_LOG_PER_STEP = 40;
/** Steps kept per attempt (the schema allows 100; an attempt has at most ~12). */
const MAX_STEPS = 100;
/** Longest log message (the schema allows 2048). */
const MAX_MESSAGE = 1000;

/** Terminal statuses of an attempt. */
export type FinalStatus = 'success' | 'error' | 'cancelled';
/** A step's outcome. */
export type StepOutcome = 'success' | 'warning' | 'error';

/** Fields of a new attempt. */
export interface NewAttemptFields {
  attemptId: string;
  planId: string;
  deploymentId: string;
  leader: string;
  nowMs: number;
  state: Record<string, unknown>;
}

/** A fresh `running` attempt with an empty log. */
export function newAttempt(f: NewAttemptFields): PlanAttempt {
  return {
    schema_version: SCHEMA_VERSION,
    plan_attempt_id: f.attemptId,
    plan_id: f.planId,
    deployment_id: f.deploymentId,
    attempt_start_time: iso(f.nowMs),
    status: 'running',
    plan_attempt_log: [],
    state: f.state,
    leader: f.leader,
  };
}

/** True when the attempt is still being driven (`running` or `rolling_back`). */
export function isActive(attempt: Pick<PlanAttempt, 'status'>): boolean {
  return attempt.status === 'running' || attempt.status === 'rolling_back';
}

/** Opens `stepId` unless it is already the open last step (a resumed attempt). */
export function beginStep(attempt: PlanAttempt, stepId: StepId, nowMs: number): PlanAttempt {
  const last = attempt.plan_attempt_log.at(-1);
  if (last && last.step_id === stepId && last.stage !== 'completed') {
    return appendLog(attempt, stepId, {
      timestamp: iso(nowMs),
      stage: 'in_progress',
      message: 'step resumed',
    });
  }
  const step: PlanStep = {
    step_id: stepId,
    status: 'pending',
    stage: 'in_progress',
    started: iso(nowMs),
    info_log: [{ timestamp: iso(nowMs), stage: 'starting', message: 'step started' }],
  };
  return { ...attempt, plan_attempt_log: [...attempt.plan_attempt_log, step].slice(-MAX_STEPS) };
}

/** Appends a line to the open step `stepId`. */
export function logStep(
  attempt: PlanAttempt,
  stepId: StepId,
  message: string,
  nowMs: number,
  details?: Record<string, unknown>,
): PlanAttempt {
  return appendLog(attempt, stepId, {
    timestamp: iso(nowMs),
    stage: 'in_progress',
    message: bound(message),
    ...(details ? { details } : {}),
  });
}

/** Closes `stepId` with an outcome (and a failure type for errors). */
export function endStep(
  attempt: PlanAttempt,
  stepId: StepId,
  outcome: StepOutcome,
  nowMs: number,
  message = outcome === 'success' ? 'step completed' : 'step failed',
  failureType?: string,
): PlanAttempt {
  const withLine = appendLog(attempt, stepId, {
    timestamp: iso(nowMs),
    stage: 'completed',
    message: bound(message),
    ...(failureType ? { failure_type: failureType } : {}),
  });
  return mapOpenStep(withLine, stepId, (step) => ({
    ...step,
    status: outcome,
    stage: 'completed',
    completed: iso(nowMs),
    duration_in_millis: Math.max(0, nowMs - Date.parse(step.started ?? iso(nowMs))),
  }));
}

/** Ends the attempt. */
export function finishAttempt(
  attempt: PlanAttempt,
  status: FinalStatus,
  nowMs: number,
  error?: { message: string; failure_type: string; details?: unknown },
): PlanAttempt {
  return {
    ...attempt,
    status,
    healthy: status === 'success',
    attempt_end_time: iso(nowMs),
    ...(error ? { error: { ...error, message: bound(error.message) } } : {}),
  };
}

/** ISO-8601 time of a clock reading. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function appendLog(attempt: PlanAttempt, stepId: StepId, entry: StepLogEntry): PlanAttempt {
  return mapOpenStep(attempt, stepId, (step) => ({
    ...step,
    info_log: trimLog([...step.info_log, entry]),
  }));
}

/** Keeps the first line (when the step started) and the most recent ones. */
function trimLog(log: StepLogEntry[]): StepLogEntry[] {
  if (log.length <= MAX_INFO_LOG_PER_STEP) return log;
  return [log[0]!, ...log.slice(log.length - MAX_INFO_LOG_PER_STEP + 1)];
}

/** Applies `fn` to the last step with `stepId`, opening one when there is none. */
function mapOpenStep(attempt: PlanAttempt, stepId: StepId, fn: (step: PlanStep) => PlanStep): PlanAttempt {
  const log = [...attempt.plan_attempt_log];
  let index = -1;
  for (let i = log.length - 1; i >= 0; i--) {
    if (log[i]!.step_id === stepId) {
      index = i;
      break;
    }
  }
  if (index < 0) {
    log.push({ step_id: stepId, status: 'pending', stage: 'starting', info_log: [] });
    index = log.length - 1;
  }
  log[index] = fn(log[index]!);
  return { ...attempt, plan_attempt_log: log.slice(-MAX_STEPS) };
}

function bound(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
