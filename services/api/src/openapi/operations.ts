/**
 * The route table as data: one entry per `METHOD path` the api serves, with what OpenAPI needs to
 * describe it. `openapi.test.ts` (api tests) fails when a route is registered in the app without
 * an entry here or the other way round, so the document cannot drift from the code.
 */
import { type DocumentKind } from '@wharf/model';
import { ACTION_OPERATIONS } from './operations-actions';
import { SNAPSHOT_OPERATIONS } from './operations-snapshots';
import { TENANCY_OPERATIONS } from './operations-tenancy';
import { EVENT_OPERATIONS } from './operations-events';
import { CATALOG_OPERATIONS } from './operations-catalog';
import { LISTING_OPERATIONS } from './operations-listing';
import { BRANDING_OPERATIONS } from './operations-branding';
import { ROLES_TOKEN_OPERATIONS, rolesArray } from './operations-roles-tokens';

/** An HTTP method in lower case, as OpenAPI path items spell them. */
export type Method = 'get' | 'post' | 'put' | 'delete';

/** A query parameter. */
export interface QueryParam {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

/** A request body: a model document kind (its JSON Schema) or an inline schema. */
export type RequestBody = { kind: DocumentKind } | { schema: Record<string, unknown> };

/** One operation. */
export interface Operation {
  method: Method;
  /** Below the API prefix, OpenAPI style (`/deployments/{id}`). */
  path: string;
  operationId: string;
  tag: 'Deployments' | 'Plans' | 'Platform' | 'Security' | 'Organizations' | 'Billing' | 'Events' | 'Meta';
  summary: string;
  /** False for the few routes served without an API key. */
  authenticated: boolean;
  query?: QueryParam[];
  body?: RequestBody;
  /** Success status and its description. */
  success: [number, string];
  /** Content type of the success response (default JSON). */
  produces?: string;
}

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });

const idList = { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 256, uniqueItems: true };
/** Body of the `_move` operations: instance ids (required for a deployment) and target allocators. */
const moveBody = (requireInstances: boolean) => ({
  type: 'object',
  additionalProperties: false,
  ...(requireInstances ? { required: ['instances'] } : {}),
  properties: {
    instances: { ...idList, description: 'instance ids to move (default: every instance of the allocator)' },
    target_allocators: {
      ...idList,
      description: 'allocators the new instances may go to (default: any eligible)',
    },
  },
});

/** Every operation of `/api/v1`. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    tag: 'Meta',
    summary: 'Liveness of this api process',
    authenticated: false,
    success: [200, 'Healthy'],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    tag: 'Meta',
    summary: 'This OpenAPI document',
    authenticated: false,
    success: [200, 'The document'],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getApiDocs',
    tag: 'Meta',
    summary: 'This document as a readable page',
    authenticated: false,
    success: [200, 'HTML page'],
    produces: 'text/html',
  },
  {
    method: 'post',
    path: '/deployments',
    operationId: 'createDeployment',
    tag: 'Deployments',
    summary:
      'Create a deployment; `deployment_template: {id, size?, zone_count?, version?}` starts from a template; `restore_from: {deployment, snapshot}` (beside `name`/`resources`) restores a snapshot into it',
    authenticated: true,
    query: [
      {
        name: 'request_id',
        description: 'Idempotency key: a repeated create with the same body returns the first result',
        schema: { type: 'string', minLength: 32, maxLength: 128 },
      },
      { name: 'validate_only', description: 'Validate without creating', schema: { type: 'boolean' } },
    ],
    body: {
      schema: {
        oneOf: [
          { $ref: '#/components/schemas/DeploymentCreateRequest' },
          { $ref: '#/components/schemas/TemplatedCreateRequest' },
        ],
      },
    },
    success: [201, 'Created; the plan is pending'],
  },
  ...LISTING_OPERATIONS,
  {
    method: 'get',
    path: '/deployments/{id}',
    operationId: 'getDeployment',
    tag: 'Deployments',
    summary: 'A deployment: status, health, endpoint, instances, plans',
    authenticated: true,
    success: [200, 'The deployment'],
  },
  {
    method: 'put',
    path: '/deployments/{id}',
    operationId: 'updateDeployment',
    tag: 'Deployments',
    summary: 'Update (resize, upgrade) a deployment: a new pending plan',
    authenticated: true,
    query: [
      {
        name: 'version',
        description: 'Apply only if the deployment is still at this version',
        schema: int(0, 2_147_483_647),
      },
    ],
    body: { kind: 'deployment-update-request' },
    success: [202, 'Accepted; the plan is pending'],
  },
  {
    method: 'delete',
    path: '/deployments/{id}',
    operationId: 'deleteDeployment',
    tag: 'Deployments',
    summary: 'Delete a deployment (a shutdown plan)',
    authenticated: true,
    success: [202, 'Accepted'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/instances/_move',
    operationId: 'moveDeploymentInstances',
    tag: 'Deployments',
    summary: 'Replace the listed instances by new ones on other allocators (a move plan)',
    authenticated: true,
    body: { schema: moveBody(true) },
    success: [202, 'The plan written'],
  },
  {
    method: 'get',
    path: '/deployments/{id}/plan',
    operationId: 'getDeploymentPlans',
    tag: 'Plans',
    summary: 'Pending and current plan',
    authenticated: true,
    success: [200, 'The plans'],
  },
  {
    method: 'get',
    path: '/deployments/{id}/plan/activity',
    operationId: 'getPlanActivity',
    tag: 'Plans',
    summary: 'Plan attempts with their step logs, newest first',
    authenticated: true,
    query: [{ name: 'size', description: 'Most attempts', schema: int(1, 100) }],
    success: [200, 'Attempts'],
  },
  {
    method: 'get',
    path: '/deployments/{id}/plan/activity/_stream',
    operationId: 'streamPlanActivity',
    tag: 'Plans',
    summary:
      'Server-Sent Events: `snapshot` (deployment + newest attempts) on every change, `gone` when deleted',
    authenticated: true,
    success: [200, 'An event stream'],
    produces: 'text/event-stream',
  },
  {
    method: 'post',
    path: '/deployments/{id}/_restart',
    operationId: 'restartDeployment',
    tag: 'Deployments',
    summary:
      'Rolling restart: a plan attempt that replaces every instance one group at a time (new member joins before the next group)',
    authenticated: true,
    query: [
      {
        name: 'group_by',
        description:
          'Instances restarted together: `__name__` (one at a time, default), `logical_zone_name` or `__all__`',
        schema: { type: 'string', enum: ['__all__', '__name__', 'logical_zone_name'] },
      },
    ],
    success: [202, 'Accepted: the restart plan is pending'],
  },
  ...ACTION_OPERATIONS,
  ...SNAPSHOT_OPERATIONS,
  {
    method: 'delete',
    path: '/deployments/{id}/plan/pending',
    operationId: 'cancelPendingPlan',
    tag: 'Plans',
    summary: 'Cancel the pending plan',
    authenticated: true,
    success: [200, 'Cancelled'],
  },
  {
    method: 'get',
    path: '/platform',
    operationId: 'getPlatform',
    tag: 'Platform',
    summary: 'Installation summary: services, ZooKeeper and its quorum per director, counts',
    authenticated: true,
    success: [200, 'Summary'],
  },
  {
    method: 'get',
    path: '/platform/allocators',
    operationId: 'listAllocators',
    tag: 'Platform',
    summary: 'Allocators with capacity and maintenance state',
    authenticated: true,
    success: [200, 'Allocators'],
  },
  {
    method: 'put',
    path: '/platform/allocators/{id}/maintenance',
    operationId: 'setAllocatorMaintenance',
    tag: 'Platform',
    summary: 'Put an allocator in or out of maintenance',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['enabled'],
        additionalProperties: false,
        properties: { enabled: { type: 'boolean' } },
      },
    },
    success: [200, 'The allocator'],
  },
  {
    method: 'post',
    path: '/platform/allocators/{id}/instances/_move',
    operationId: 'moveAllocatorInstances',
    tag: 'Platform',
    summary:
      'Move all (or the listed) instances off an allocator (vacate): one move plan per deployment, new instances first',
    authenticated: true,
    body: { schema: moveBody(false) },
    success: [202, 'The plans written, one per deployment'],
  },
  {
    method: 'get',
    path: '/platform/proxies',
    operationId: 'listProxies',
    tag: 'Platform',
    summary: 'Proxies and their stats',
    authenticated: true,
    success: [200, 'Proxies'],
  },
  {
    method: 'get',
    path: '/platform/monitoring/targets',
    operationId: 'getMonitoringTargets',
    tag: 'Platform',
    summary: "Prometheus HTTP SD of every service's metrics; takes an API key or the scrape token (Bearer)",
    authenticated: true,
    success: [200, '`[{targets: ["host:port"], labels: {...}}]`'],
  },
  {
    method: 'get',
    path: '/platform/hosts',
    operationId: 'listHosts',
    tag: 'Platform',
    summary: 'Hosts, their roles and runners',
    authenticated: true,
    success: [200, 'Hosts'],
  },
  {
    method: 'put',
    path: '/platform/hosts/{id}/roles',
    operationId: 'setHostRoles',
    tag: 'Platform',
    summary: "Replace a host's roles",
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['roles'],
        additionalProperties: false,
        properties: { roles: rolesArray },
      },
    },
    success: [200, 'The host'],
  },
  {
    method: 'post',
    path: '/platform/configuration/security/api-keys',
    operationId: 'createApiKey',
    tag: 'Security',
    summary: 'Create an API key (the key is shown once)',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string', minLength: 1 },
          expires_in_seconds: { type: 'integer', minimum: 1 },
          roles: {
            type: 'array',
            minItems: 1,
            maxItems: 1,
            items: { type: 'string', enum: ['viewer', 'deployment-manager', 'platform-admin'] },
            description: "The key's role (default platform-admin); see docs/security.md",
          },
          organization_id: { type: 'string', description: 'Confines the key to one organization' },
        },
      },
    },
    success: [201, 'The key, shown only in this response'],
  },
  {
    method: 'get',
    path: '/platform/configuration/security/api-keys',
    operationId: 'listApiKeys',
    tag: 'Security',
    summary: 'API keys (never their secrets)',
    authenticated: true,
    success: [200, 'Keys'],
  },
  {
    method: 'delete',
    path: '/platform/configuration/security/api-keys/{id}',
    operationId: 'revokeApiKey',
    tag: 'Security',
    summary: 'Revoke an API key',
    authenticated: true,
    success: [200, 'Revoked'],
  },
  ...ROLES_TOKEN_OPERATIONS,
  ...TENANCY_OPERATIONS,
  ...EVENT_OPERATIONS,
  ...CATALOG_OPERATIONS,
  ...BRANDING_OPERATIONS,
];
