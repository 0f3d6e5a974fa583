/**
 * `wharf events` (recent alert events, `GET /events`; `--dead-letters`: the events webhook
 * targets refused on every retry) and `wharf deployment logs <id> <instance>`
 * (the tail of an instance's log, `GET /deployments/{id}/instances/{instance}/logs`).
 */
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { invalidOption } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';

/** `events` options. */
export interface EventsOptions {
  since?: string;
  type?: string;
  limit?: string;
  /** List dead letters (`GET /platform/configuration/webhooks/dead-letters`) instead. */
  deadLetters?: boolean;
  /** With `deadLetters`: only this webhook target's. */
  target?: string;
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

interface DeadLetterView {
  target_id: string;
  seq: number;
  attempts: number;
  last_error: string;
  time: string;
  event: EventView;
}

/** Lines of a dead-letter table, oldest event first. Pure. */
export function formatDeadLetters(letters: readonly DeadLetterView[]): string[] {
  if (letters.length === 0) return ['no dead letters'];
  return formatTable(
    ['GIVEN UP', 'TARGET', 'SEQ', 'TYPE', 'ATTEMPTS', 'LAST ERROR'],
    letters.map((l) => [l.time, l.target_id, String(l.seq), l.event.type, String(l.attempts), l.last_error]),
  );
}

async function listDeadLetters(client: ApiClient, options: EventsOptions, ctx: CliContext): Promise<number> {
  for (const flag of ['since', 'type'] as const)
    if (options[flag] !== undefined) throw invalidOption(`--${flag}`, 'does not apply to --dead-letters');
  const query: Record<string, string> = {};
  if (options.target !== undefined) query.target = options.target;
  if (options.limit !== undefined) query.limit = options.limit;
  const res = await client.request('GET', '/platform/configuration/webhooks/dead-letters', { query });
  const letters = (res.body as { dead_letters: DeadLetterView[] }).dead_letters;
  ctx.stdout.write(
    options.json ? `${JSON.stringify(letters, null, 2)}\n` : `${formatDeadLetters(letters).join('\n')}\n`,
  );
  return 0;
}

/**
 * Runs `events` (or `events --dead-letters`); 0 (a report). The api validates `since`, `type`,
 * `target` and `limit` (400 naming them).
 */
export async function listEvents(
  client: ApiClient,
  options: EventsOptions,
  ctx: CliContext,
): Promise<number> {
  if (options.deadLetters) return listDeadLetters(client, options, ctx);
  if (options.target !== undefined) throw invalidOption('--target', 'applies to --dead-letters only');
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
