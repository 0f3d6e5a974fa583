/** The operations of the deployment list and search (see `operations.ts`). */
import {
  DEFAULT_SEARCH_SIZE,
  DEPLOYMENT_STATUSES,
  DeploymentSearchRequestSchema,
  MAX_CURSOR_LENGTH,
  MAX_SEARCH_SIZE,
  STACK_KINDS,
} from '@wharf/model';
import { MAX_PAGE_FROM } from '../domain/deployment-query';
import { type Operation } from './operations';

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });

/** `GET /deployments` (cursor pages, filters) and `POST /deployments/_search` (ECE's shape). */
export const LISTING_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/deployments',
    operationId: 'listDeployments',
    tag: 'Deployments',
    summary:
      'List deployments, oldest first: `{deployments[{id, name, created, status, stacks}], total, from, size, next_cursor}`; follow `next_cursor` (null on the last page) to walk them all',
    authenticated: true,
    query: [
      {
        name: 'size',
        description: `Page size (default ${DEFAULT_SEARCH_SIZE})`,
        schema: { type: 'integer', minimum: 0, maximum: MAX_SEARCH_SIZE },
      },
      {
        name: 'cursor',
        description:
          '`next_cursor` of the previous page: continues after its last deployment, stable under creates and deletes',
        schema: text(MAX_CURSOR_LENGTH),
      },
      {
        name: 'from',
        description: 'Offset (older clients; not with cursor)',
        schema: { type: 'integer', minimum: 0, maximum: MAX_PAGE_FROM },
      },
      { name: 'name_prefix', description: 'Names starting with this', schema: text(256) },
      { name: 'stack', description: 'Deployments running this stack', schema: { enum: [...STACK_KINDS] } },
      {
        name: 'status',
        description: 'Deployments in this status',
        schema: { enum: [...DEPLOYMENT_STATUSES] },
      },
      { name: 'allocator', description: 'Deployments with an instance on this allocator', schema: text(256) },
    ],
    success: [200, 'A page of deployments'],
  },
  {
    method: 'post',
    path: '/deployments/_search',
    operationId: 'searchDeployments',
    tag: 'Deployments',
    summary:
      'Search deployments (a read): `term`/`prefix` on name, stack, status, allocator, joined by `bool.must`/`filter`; answers `{deployments, match_count, return_count, cursor, next_cursor}`',
    authenticated: true,
    body: { schema: DeploymentSearchRequestSchema as unknown as Record<string, unknown> },
    success: [200, 'A page of matching deployments'],
  },
];
