import { type PlanStep } from '@wharf/model';
import { formatAttempt } from './activity';

const step = (
  step_id: string,
  stage: PlanStep['stage'],
  status: PlanStep['status'],
  ms?: number,
): PlanStep => ({
  step_id,
  stage,
  status,
  info_log: [],
  ...(ms === undefined ? {} : { duration_in_millis: ms }),
});

test('one line per step with its status and duration, then the attempt status', () => {
  const lines = formatAttempt({
    plan_attempt_id: 'a-2',
    plan_id: 'p-7',
    status: 'running',
    attempt_start_time: '2026-01-01T00:00:00.000Z',
    plan_attempt_log: [
      step('validate-plan', 'completed', 'success', 12),
      step('start-instances', 'in_progress', 'pending'),
      step('wait-until-running', 'starting', 'pending'),
    ],
  });
  expect(lines).toEqual([
    'plan attempt a-2 (plan p-7)',
    '  STEP                STATUS   DURATION',
    '  validate-plan       success  12ms',
    '  start-instances     running  -',
    '  wait-until-running  pending  -',
    'attempt running',
  ]);
});

test('a finished attempt shows how long it took and why it failed', () => {
  const lines = formatAttempt({
    plan_attempt_id: 'a-3',
    status: 'error',
    attempt_start_time: '2026-01-01T00:00:00.000Z',
    attempt_end_time: '2026-01-01T00:01:05.000Z',
    error: { failure_type: 'WHARF_TIMEOUT', message: 'etcd did not become healthy' },
    plan_attempt_log: [step('wait-until-running', 'completed', 'error', 65_000)],
  });
  expect(lines.at(-2)).toBe('  wait-until-running  error   1m05s');
  expect(lines.at(-1)).toBe('attempt error in 1m05s: WHARF_TIMEOUT: etcd did not become healthy');
});
