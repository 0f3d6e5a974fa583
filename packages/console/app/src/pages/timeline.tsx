/** The plan activity: the newest attempt as a step timeline, earlier attempts as a history list. */
import { type Attempt } from '../live';
import { ListTable, StatusBadge } from '../ui';

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Width of a step's duration bar: its share of the attempt's longest step. */
function share(ms: number | undefined, longest: number): string {
  return longest > 0 && ms !== undefined ? `${Math.max(1, Math.round((ms / longest) * 100))}%` : '0%';
}

/** The step timeline of one attempt, each step with a bar of its duration. */
export function Timeline({ attempt }: { attempt: Attempt }) {
  const longest = Math.max(0, ...attempt.plan_attempt_log.map((s) => s.duration_in_millis ?? 0));
  return (
    <div class="timeline-wrap">
      <p>
        Plan <code>{attempt.plan_id}</code>:{' '}
        <span class={`status status-${attempt.status}`} data-attempt-status={attempt.status}>
          {attempt.status}
        </span>
        {attempt.error && (
          <span class="error">
            {' '}
            {attempt.error.failure_type}: {attempt.error.message}
          </span>
        )}
      </p>
      <ol class="timeline" aria-label="Plan steps">
        {attempt.plan_attempt_log.map((step) => (
          <li key={step.step_id} class={`step step-${step.status}`} data-step={step.step_id}>
            <span class="step-id">{step.step_id}</span>
            <span class="step-status">{step.status}</span>
            <span class="step-duration">{duration(step.duration_in_millis)}</span>
            <span class="step-bar" aria-hidden="true">
              <span class="step-bar-fill" style={{ width: share(step.duration_in_millis, longest) }} />
            </span>
            {step.info_log.length > 0 && <span class="step-log">{step.info_log.at(-1)?.message}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Earlier attempts, newest first. */
export function History({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return null;
  return (
    <ListTable label="Plan history" columns={['Plan', 'Status', 'Started', 'Steps']}>
      {attempts.map((a) => (
        <tr key={a.plan_attempt_id}>
          <td>
            <code>{a.plan_id}</code>
          </td>
          <td>
            <StatusBadge status={a.status} />
          </td>
          <td>{new Date(a.attempt_start_time).toLocaleString()}</td>
          <td>{a.plan_attempt_log.length}</td>
        </tr>
      ))}
    </ListTable>
  );
}
