/**
 * Events (`GET /events`, newest last from the api, shown newest first) with a type filter, and
 * for a platform-admin the webhook dead letters (events a receiver never accepted). Read-only.
 */
import { useState } from 'preact/hooks';
import { href } from '../router';
import { useAllowed } from '../use-role';
import { useApi } from '../use-api';
import { ErrorLine, ListTable } from '../ui';

interface EventView {
  id: string;
  seq: number;
  type: string;
  severity: string;
  time: string;
  deployment_id?: string;
  allocator_id?: string;
  message: string;
}

interface DeadLetterView {
  target_id: string;
  seq: number;
  attempts: number;
  last_error: string;
  time: string;
  event: Omit<EventView, 'seq'>;
}

/** The event types (the model's `EVENT_TYPES`). */
const EVENT_TYPES = ['allocator-lost', 'plan-failed', 'deployment-unavailable', 'quota-reached'] as const;
/** Events one page asks for (the api's default is smaller; its maximum is larger). */
const EVENTS_LIMIT = 200;

const when = (iso: string) => new Date(iso).toLocaleString();

function Subject({ e }: { e: { deployment_id?: string; allocator_id?: string } }) {
  if (e.deployment_id)
    return <a href={href({ page: 'deployment', id: e.deployment_id })}>{e.deployment_id}</a>;
  return <>{e.allocator_id ?? '—'}</>;
}

function Events() {
  const [type, setType] = useState('');
  const { data, error, reload } = useApi<{ events: EventView[] }>(
    `/events?limit=${EVENTS_LIMIT}${type === '' ? '' : `&type=${type}`}`,
  );
  const events = [...(data?.events ?? [])].reverse();
  return (
    <>
      <div class="toolbar">
        <label for="event-type">Type</label>
        <select id="event-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">all</option>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <ErrorLine error={error} />
      <ListTable
        label="Events"
        columns={['Time', 'Type', 'Severity', 'Subject', 'Message']}
        empty={data && events.length === 0 ? 'No events.' : undefined}
      >
        {events.map((e) => (
          <tr key={e.id} data-event={e.type}>
            <td>{when(e.time)}</td>
            <td>{e.type}</td>
            <td>
              <span class={`severity severity-${e.severity}`}>{e.severity}</span>
            </td>
            <td>
              <Subject e={e} />
            </td>
            <td>{e.message}</td>
          </tr>
        ))}
      </ListTable>
    </>
  );
}

function DeadLetters() {
  const { data, error } = useApi<{ dead_letters: DeadLetterView[] }>(
    '/platform/configuration/webhooks/dead-letters',
  );
  const letters = [...(data?.dead_letters ?? [])].reverse();
  return (
    <>
      <ErrorLine error={error} />
      <ListTable
        label="Dead letters"
        columns={['Given up', 'Target', 'Event', 'Attempts', 'Last error']}
        empty={data && letters.length === 0 ? 'No dead letters: every receiver took its events.' : undefined}
      >
        {letters.map((l) => (
          <tr key={`${l.target_id}-${l.seq}`} data-dead-letter={l.target_id}>
            <td>{when(l.time)}</td>
            <td>
              <code>{l.target_id}</code>
            </td>
            <td>
              {l.event.type}: {l.event.message}
            </td>
            <td>{l.attempts}</td>
            <td>{l.last_error}</td>
          </tr>
        ))}
      </ListTable>
    </>
  );
}

/** The events page. */
export function EventsPage() {
  const admin = useAllowed('platform-admin');
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <Events />
      {admin && (
        <>
          <h2>Webhook dead letters</h2>
          <DeadLetters />
        </>
      )}
    </section>
  );
}
