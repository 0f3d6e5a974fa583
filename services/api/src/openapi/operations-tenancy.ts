/** The operations of organizations, the price list, billing and the caller's own key (see `operations.ts`). */
import { type Operation } from './operations';

/** Organizations, pricing and usage. */
export const TENANCY_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/user',
    operationId: 'getCurrentUser',
    tag: 'Security',
    summary: 'The calling key: `{key_id, role, organization_id?}` (any role may ask about itself)',
    authenticated: true,
    success: [200, 'The key'],
  },
  {
    method: 'post',
    path: '/organizations',
    operationId: 'createOrganization',
    tag: 'Organizations',
    summary: 'Create an organization (tenant) with optional quotas',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['id', 'name'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          quotas: {
            type: 'object',
            additionalProperties: false,
            properties: {
              memory_mb: { type: 'integer', minimum: 0 },
              deployments: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
    },
    success: [201, 'The organization'],
  },
  {
    method: 'get',
    path: '/organizations',
    operationId: 'listOrganizations',
    tag: 'Organizations',
    summary: "Organizations (an organization's key sees its own)",
    authenticated: true,
    success: [200, 'The organizations'],
  },
  {
    method: 'get',
    path: '/organizations/{id}',
    operationId: 'getOrganization',
    tag: 'Organizations',
    summary: 'An organization, its quotas and its usage',
    authenticated: true,
    success: [200, 'The organization'],
  },
  {
    method: 'put',
    path: '/organizations/{id}/quotas',
    operationId: 'setOrganizationQuotas',
    tag: 'Organizations',
    summary: 'Replace the quotas (refused below current use)',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          memory_mb: { type: 'integer', minimum: 0 },
          deployments: { type: 'integer', minimum: 0 },
        },
      },
    },
    success: [200, 'The organization'],
  },
  {
    method: 'delete',
    path: '/organizations/{id}',
    operationId: 'deleteOrganization',
    tag: 'Organizations',
    summary: 'Delete an organization that owns no deployment',
    authenticated: true,
    success: [200, 'Deleted'],
  },
  {
    method: 'put',
    path: '/platform/configuration/pricing',
    operationId: 'setPricing',
    tag: 'Billing',
    summary: 'Set the price list (integer micro-units of the currency)',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['currency'],
        additionalProperties: false,
        properties: {
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          instance_hour_micros: { type: 'integer', minimum: 0 },
          memory_gb_hour_micros: { type: 'integer', minimum: 0 },
          cpu_hour_micros: { type: 'integer', minimum: 0, description: 'per CPU-hour (all stacks)' },
          storage_gb_hour_micros: {
            type: 'integer',
            minimum: 0,
            description: 'per GB-hour of data directory (all stacks)',
          },
          transfer_gb_micros: {
            type: 'integer',
            minimum: 0,
            description: 'per GB (2^30 bytes) through the proxies, in plus out',
          },
          stacks: { type: 'object' },
        },
      },
    },
    success: [200, 'The price list'],
  },
  {
    method: 'get',
    path: '/platform/configuration/pricing',
    operationId: 'getPricing',
    tag: 'Billing',
    summary: 'The price list',
    authenticated: true,
    success: [200, 'The price list'],
  },
  {
    method: 'get',
    path: '/billing/usage',
    operationId: 'getUsage',
    tag: 'Billing',
    summary:
      "Metered usage of a period, priced per deployment and stack, plus each deployment's proxy traffic (JSON or CSV)",
    authenticated: true,
    query: [
      { name: 'from', description: 'start (ISO 8601), inclusive', schema: { type: 'string' } },
      { name: 'to', description: 'end (ISO 8601), exclusive', schema: { type: 'string' } },
      { name: 'organization', description: 'only this organization', schema: { type: 'string' } },
      { name: 'format', description: 'json (default) or csv', schema: { enum: ['json', 'csv'] } },
    ],
    success: [200, 'Line items and total'],
  },
];
