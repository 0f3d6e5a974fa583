/**
 * Alert events and webhook targets: `GET /events?since=&type=&limit=` and
 * `PUT/GET /platform/configuration/webhooks`. An organization's key sees only the events of its
 * organization's deployments; platform events (an allocator lost) and other organizations'
 * events reach platform keys only. Secrets are write-only: stored for the notifier's HMAC, never
 * returned, never logged.
 */
import { EVENT_TYPES, WharfError, isEventType, isWharfError, type EventType } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock } from '../clock';
import { badRequest } from '../http/errors';
import { intParam } from '../http/query';
import { type ServiceResponse } from '../http/send';
import { parseDeadLetterQuery } from './dead-letters';
import { parseWebhookConfig, webhookView } from './webhook-config';
import { type EventStore, type StoredEvent } from './zk-events';

/** Events one GET returns by default, and at most. */
export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 1000;

/** `YYYY-MM-DDTHH:MM[:SS[.sss]]` with `Z` or an offset: what `since` accepts. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Dependencies of an {@link EventService}. */
export interface EventServiceDeps {
  events: EventStore;
  clock: Clock;
  logger: Logger;
}

/** A validated events query. */
export interface EventsQuery {
  since?: number;
  type?: EventType;
  limit: number;
}

/** Validates `since`, `type` and `limit`; 400 naming the parameter. Pure. */
export function parseEventsQuery(query: Record<string, unknown>): EventsQuery {
  let since: number | undefined;
  if (query.since !== undefined) {
    const raw = String(query.since);
    since = ISO_TIME.test(raw) ? Date.parse(raw) : NaN;
    if (!Number.isFinite(since))
      throw badRequest('since', 'must be an ISO-8601 time such as 2026-01-31T12:00:00Z');
  }
  if (query.type !== undefined && !isEventType(query.type))
    throw badRequest('type', `must be one of ${EVENT_TYPES.join(', ')}`);
  const limit = intParam(query, 'limit', 1, MAX_EVENTS_LIMIT, DEFAULT_EVENTS_LIMIT);
  return {
    ...(since === undefined ? {} : { since }),
    ...(query.type === undefined ? {} : { type: query.type as EventType }),
    limit,
  };
}

/** The events `scope` may see that match `q`, the newest `q.limit` of them, oldest first. Pure. */
export function visibleEvents(
  all: readonly StoredEvent[],
  q: EventsQuery,
  scope: string | undefined,
): StoredEvent[] {
  const matching = all.filter(
    ({ event }) =>
      (scope === undefined || event.organization_id === scope) &&
      (q.type === undefined || event.type === q.type) &&
      (q.since === undefined || Date.parse(event.time) >= q.since),
  );
  return matching.slice(-q.limit);
}

export class EventService {
  constructor(private readonly deps: EventServiceDeps) {}

  async list(query: Record<string, unknown>, scope: string | undefined): Promise<ServiceResponse> {
    const q = parseEventsQuery(query);
    const events = visibleEvents(await this.deps.events.list(), q, scope).map(({ seq, event }) => {
      const { schema_version: _v, ...fields } = event;
      return { ...fields, seq };
    });
    return { status: 200, body: { events, count: events.length } };
  }

  /** Events given up on after the last retry, newest `limit` (of one `target`), oldest first. */
  async deadLetters(query: Record<string, unknown>): Promise<ServiceResponse> {
    const letters = (await this.deps.events.deadLetters(parseDeadLetterQuery(query))).map((letter) => {
      const { schema_version: _v, event, ...fields } = letter;
      const { schema_version: _e, ...eventFields } = event;
      return { ...fields, event: eventFields };
    });
    return { status: 200, body: { dead_letters: letters, count: letters.length } };
  }

  async setWebhooks(body: unknown): Promise<ServiceResponse> {
    const object = Array.isArray(body) ? { targets: body } : (body as Record<string, unknown>);
    const stored = await this.deps.events.webhooks();
    const next = parseWebhookConfig(object, stored?.config, this.deps.clock.now());
    try {
      await this.deps.events.setWebhooks(next, stored?.version ?? -1);
    } catch (err) {
      throw conflictOr(err);
    }
    this.deps.logger.info('webhook targets set', { targets: next.targets.map((t) => t.id) });
    return this.webhooks();
  }

  async webhooks(): Promise<ServiceResponse> {
    const stored = await this.deps.events.webhooks();
    const targets = webhookView(stored?.config);
    const cursors = await this.deps.events.cursors(targets.map((t) => t.id as string));
    return {
      status: 200,
      body: {
        targets: targets.map((t) => {
          const cursor = cursors.get(t.id as string);
          if (cursor === undefined) return t;
          const { schema_version: _v, target_id: _t, ...delivery } = cursor;
          return { ...t, delivery };
        }),
        ...(stored ? { updated: stored.config.updated } : {}),
      },
    };
  }
}

/** A concurrent change of the targets is a 409, anything else passes through. */
function conflictOr(err: unknown): unknown {
  if (!isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED', 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS'))
    return err;
  return new WharfError('WHARF_CONFLICT', 'the webhook targets changed meanwhile; read them and retry', {
    cause: err,
    details: [{ path: 'targets', message: 'changed by another request' }],
  });
}
