/**
 * Alert events and their webhook delivery (issue 14 §6):
 * - `/events/event-<seq>`: one event per znode (PERSISTENT_SEQUENTIAL, so ZooKeeper orders them
 *   and the sequence is the delivery cursor), written by whoever saw the trouble (constructor
 *   leader: allocator lost, plan failed, deployment unavailable; api: quota reached);
 * - `/platform/webhooks`: the webhook targets (secrets included: the notifier signs with them;
 *   the api never returns them);
 * - `/webhook-deliveries/<target>`: each target's cursor, the last sequence delivered or
 *   dead-lettered, and the failures of the event at its head;
 * - `/webhook-dead-letters/<target>-<seq>`: an event a target refused `max attempts` times.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, SchemaVersion, Str, Timestamp } from './common';

/** What needs an operator's attention. */
export const EVENT_TYPES = [
  'allocator-lost',
  'plan-failed',
  'deployment-unavailable',
  'quota-reached',
] as const;
/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];
/** How urgent an event is. */
export const EVENT_SEVERITIES = ['info', 'warning', 'critical'] as const;
/** One of {@link EVENT_SEVERITIES}. */
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];
/** Longest event message: a sentence, not a log. */
export const MAX_EVENT_MESSAGE_LENGTH = 1024;
/** Most webhook targets: each one is a POST per event. */
export const MAX_WEBHOOK_TARGETS = 16;
/** Longest webhook URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

const EventTypeSchema = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));

/** `/events/event-<seq>`. `id` is random, stable across re-deliveries: receivers dedupe on it. */
export const EventRecordSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Type.String({ pattern: '^evt_[a-f0-9]{24}$' }),
    type: EventTypeSchema,
    severity: Type.Union(EVENT_SEVERITIES.map((s) => Type.Literal(s))),
    time: Timestamp(),
    deployment_id: Type.Optional(Id()),
    /** The deployment's organization; absent: a platform event, shown to platform keys only. */
    organization_id: Type.Optional(Id()),
    allocator_id: Type.Optional(Id()),
    message: Str(MAX_EVENT_MESSAGE_LENGTH),
  },
  { additionalProperties: false },
);

/** A stored event. */
export type EventRecord = Static<typeof EventRecordSchema>;

/** One webhook target. */
export const WebhookTargetSchema = Type.Object(
  {
    id: Id(),
    url: Type.String({ pattern: '^https?://', maxLength: MAX_WEBHOOK_URL_LENGTH }),
    /** The HMAC key. Never returned by the api, never logged. */
    secret: Type.String({ minLength: 1, maxLength: 256 }),
    /** Event types delivered; absent: all. */
    events: Type.Optional(Type.Array(EventTypeSchema, { minItems: 1, maxItems: EVENT_TYPES.length })),
  },
  { additionalProperties: false },
);

/** A webhook target as stored. */
export type WebhookTarget = Static<typeof WebhookTargetSchema>;

/** `/platform/webhooks`. */
export const WebhookConfigSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    targets: Type.Array(WebhookTargetSchema, { maxItems: MAX_WEBHOOK_TARGETS }),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** The webhook targets document. */
export type WebhookConfig = Static<typeof WebhookConfigSchema>;

/** `/webhook-deliveries/<target>`: how far a target got. */
export const DeliveryCursorSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    target_id: Id(),
    /** Sequence of the last event delivered or dead-lettered; -1: none yet. */
    through_seq: Type.Integer({ minimum: -1 }),
    /** Failed attempts at the event after `through_seq` (survives a leader failover). */
    failures: Type.Integer({ minimum: 0 }),
    last_error: Type.Optional(Str(512)),
    /** Not before this time is the head event tried again (the back-off survives a failover). */
    retry_at: Type.Optional(Timestamp()),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** A target's delivery cursor. */
export type DeliveryCursor = Static<typeof DeliveryCursorSchema>;

/** `/webhook-dead-letters/<target>-<seq>`: an event given up on. */
export const DeadLetterSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    target_id: Id(),
    seq: Type.Integer({ minimum: 0 }),
    event: EventRecordSchema,
    attempts: Type.Integer({ minimum: 1 }),
    last_error: Str(512),
    time: Timestamp(),
  },
  { additionalProperties: false },
);

/** A dead letter. */
export type DeadLetter = Static<typeof DeadLetterSchema>;

/** True for the names of {@link EVENT_TYPES}. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** What an emitter knows about an event; {@link newEvent} adds the rest. */
export interface EventInput {
  type: EventType;
  severity: EventSeverity;
  message: string;
  deployment_id?: string;
  organization_id?: string;
  allocator_id?: string;
}

/** A complete event document from `input`, `now` and 12 random bytes (hex). Pure given its arguments. */
export function newEvent(input: EventInput, now: number, randomHex: string): EventRecord {
  return {
    schema_version: 1,
    id: `evt_${randomHex.slice(0, 24)}`,
    type: input.type,
    severity: input.severity,
    time: new Date(now).toISOString(),
    ...(input.deployment_id === undefined ? {} : { deployment_id: input.deployment_id }),
    ...(input.organization_id === undefined ? {} : { organization_id: input.organization_id }),
    ...(input.allocator_id === undefined ? {} : { allocator_id: input.allocator_id }),
    message:
      input.message.length > MAX_EVENT_MESSAGE_LENGTH
        ? `${input.message.slice(0, MAX_EVENT_MESSAGE_LENGTH - 1)}…`
        : input.message,
  };
}

/** Whether `target` wants events of `type`. */
export function targetWants(target: Pick<WebhookTarget, 'events'>, type: EventType): boolean {
  return target.events === undefined || target.events.includes(type);
}

/** The znode name of event sequence `seq` (`event-0000000042`). */
export function eventNodeName(seq: number): string {
  return `event-${String(seq).padStart(10, '0')}`;
}

/** The sequence of an event znode name, or undefined for anything else. */
export function eventSeqOf(name: string): number | undefined {
  const match = /^event-(\d{10})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
