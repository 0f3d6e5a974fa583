/**
 * `wharf deployment activity <id>`: the newest plan attempt, one line per step (id, status,
 * duration), then the attempt's status — what the README's "repeat until the newest attempt says
 * success" asks a reader to look for.
 */
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { formatDuration, formatTable } from '../output/format';
import { type AttemptSnapshot } from '../track/step-tracker';
import { attemptsOf } from '../track/track-plan';

/** `activity` options. */
export interface ActivityOptions {
  json?: boolean;
}

/** Runs `deployment activity <id>`; 0 whatever the attempt's status (it is a report). */
export async function showActivity(
  client: ApiClient,
  rawId: string,
  options: ActivityOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const res = await client.request('GET', `/deployments/${id}/plan/activity`, { query: { size: 1 } });
  // Newest first: the running attempt, then history.
  const newest = attemptsOf(res.body)[0];
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(newest ?? null, null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write(
    `${(newest ? formatAttempt(newest) : [`deployment ${id}: no plan attempt yet`]).join('\n')}\n`,
  );
  return 0;
}

/** Lines for one attempt: a header, a step table, and the attempt's status. Pure. */
export function formatAttempt(attempt: AttemptSnapshot): string[] {
  const rows = attempt.plan_attempt_log.map((step) => [
    step.step_id,
    step.stage === 'completed' ? step.status : step.stage === 'in_progress' ? 'running' : 'pending',
    step.duration_in_millis === undefined ? '-' : formatDuration(step.duration_in_millis),
  ]);
  const plan = attempt.plan_id === undefined ? '' : ` (plan ${attempt.plan_id})`;
  const took = attemptDuration(attempt);
  const error = attempt.error ? `: ${attempt.error.failure_type}: ${attempt.error.message}` : '';
  return [
    `plan attempt ${attempt.plan_attempt_id}${plan}`,
    ...formatTable(['STEP', 'STATUS', 'DURATION'], rows).map((line) => `  ${line}`),
    `attempt ${attempt.status}${took === undefined ? '' : ` in ${formatDuration(took)}`}${error}`,
  ];
}

function attemptDuration(attempt: AttemptSnapshot): number | undefined {
  if (attempt.attempt_start_time === undefined || attempt.attempt_end_time === undefined) return undefined;
  const ms = Date.parse(attempt.attempt_end_time) - Date.parse(attempt.attempt_start_time);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
