/**
 * `wharf events` (recent alert events, `GET /events`) and `wharf deployment logs <id> <instance>`
 * (the tail of an instance's log, `GET /deployments/{id}/instances/{instance}/logs`).
 */
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';

/** `events` options. */
export interface EventsOptions {
  since?: string;
  type?: string;
  limit?: string;
  json?: boolean;
}

/** `deployment logs` options. */
export interface LogsOptions {
  tail?: string;
  json?: boolean;
}

interface EventView {
  seq: number;
  time: string;
  type: string;
  severity: string;
  deployment_id?: string;
  allocator_id?: string;
  organization_id?: string;
  message: string;
}

/** Lines of an event table, oldest first. Pure. */
export function formatEvents(events: readonly EventView[]): string[] {
  if (events.length === 0) return ['no events'];
  return formatTable(
    ['TIME', 'TYPE', 'SEVERITY', 'SUBJECT', 'MESSAGE'],
    events.map((e) => [
      e.time,
      e.type,
      e.severity,
      e.deployment_id ??
        (e.allocator_id === undefined ? (e.organization_id ?? '-') : `allocator ${e.allocator_id}`),
      e.message,
    ]),
  );
}

/** Runs `events`; 0 (a report). The api validates `since`, `type` and `limit` (400 naming them). */
export async function listEvents(
  client: ApiClient,
  options: EventsOptions,
  ctx: CliContext,
): Promise<number> {
  const query: Record<string, string> = {};
  if (options.since !== undefined) query.since = options.since;
  if (options.type !== undefined) query.type = options.type;
  if (options.limit !== undefined) query.limit = options.limit;
  const res = await client.request('GET', '/events', { query });
  const body = res.body as { events: EventView[] };
  ctx.stdout.write(
    options.json ? `${JSON.stringify(body.events, null, 2)}\n` : `${formatEvents(body.events).join('\n')}\n`,
  );
  return 0;
}

/** Runs `deployment logs <id> <instance>`: the lines as they are (JSON with `--json`). */
export async function showLogs(
  client: ApiClient,
  rawId: string,
  rawInstance: string,
  options: LogsOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const instance = assertId('instance', rawInstance);
  const res = await client.request('GET', `/deployments/${id}/instances/${instance}/logs`, {
    query: options.tail === undefined ? {} : { tail: options.tail },
  });
  const body = res.body as { lines: string[]; truncated: boolean };
  if (options.json) ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  else if (body.lines.length > 0) ctx.stdout.write(`${body.lines.join('\n')}\n`);
  if (!options.json && body.truncated)
    ctx.stderr.write('(older lines cut: the answer is bounded to 512 KiB)\n');
  return 0;
}
