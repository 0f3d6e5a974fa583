/** The operations of alert events, webhook targets and instance logs (see `operations.ts`). */
import { EVENT_TYPES, MAX_LOG_TAIL } from '@wharf/model';
import { DEFAULT_DEAD_LETTERS_LIMIT, MAX_DEAD_LETTERS_LIMIT } from '../events/dead-letters';
import { type Operation } from './operations';

/** Events, webhooks and logs. */
export const EVENT_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    tag: 'Events',
    summary: "Recent alert events (an organization's key sees its own deployments' events)",
    authenticated: true,
    query: [
      {
        name: 'since',
        description: 'only events at or after this time (ISO 8601)',
        schema: { type: 'string' },
      },
      { name: 'type', description: 'only this type', schema: { enum: [...EVENT_TYPES] } },
      { name: 'limit', description: 'newest N (default 100, max 1000)', schema: { type: 'integer' } },
    ],
    success: [200, 'The events, oldest first'],
  },
  {
    method: 'put',
    path: '/platform/configuration/webhooks',
    operationId: 'setWebhooks',
    tag: 'Events',
    summary: 'Replace the webhook targets (secrets are write-only)',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['targets'],
        additionalProperties: false,
        properties: {
          targets: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'url'],
              additionalProperties: false,
              properties: {
                id: { type: 'string' },
                url: { type: 'string', description: 'http(s) URL receiving signed POSTs' },
                secret: { type: 'string', description: 'HMAC key; omit to keep the stored one' },
                events: { type: 'array', items: { enum: [...EVENT_TYPES] } },
              },
            },
          },
        },
      },
    },
    success: [200, 'The targets, without secrets'],
  },
  {
    method: 'get',
    path: '/platform/configuration/webhooks',
    operationId: 'getWebhooks',
    tag: 'Events',
    summary: 'The webhook targets (without secrets) and their delivery progress',
    authenticated: true,
    success: [200, 'The targets'],
  },
  {
    method: 'get',
    path: '/platform/configuration/webhooks/dead-letters',
    operationId: 'listWebhookDeadLetters',
    tag: 'Events',
    summary: 'Events a webhook target refused on every attempt (platform-admin)',
    authenticated: true,
    query: [
      { name: 'target', description: 'only this target', schema: { type: 'string' } },
      {
        name: 'limit',
        description: `newest N by event sequence (default ${DEFAULT_DEAD_LETTERS_LIMIT}, max ${MAX_DEAD_LETTERS_LIMIT})`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_DEAD_LETTERS_LIMIT },
      },
    ],
    success: [200, 'The dead letters {target_id, seq, event, attempts, last_error, time}, oldest first'],
  },
  {
    method: 'get',
    path: '/deployments/{id}/instances/{instance}/logs',
    operationId: 'getInstanceLogs',
    tag: 'Deployments',
    summary: "The last lines of an instance's log, read by its allocator",
    authenticated: true,
    query: [
      {
        name: 'tail',
        description: `lines (default 100, max ${MAX_LOG_TAIL})`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_LOG_TAIL },
      },
    ],
    success: [200, 'The lines, last line last'],
  },
];
