/** The operations of roles tokens, with which hosts join and enrol (see `operations.ts`). */
import { HOST_ROLES } from '@wharf/model';
import { type Operation } from './operations';

/** A list of host roles (request bodies). */
export const rolesArray = {
  type: 'array',
  items: { enum: [...HOST_ROLES] },
  uniqueItems: true,
};

/** Create and revoke roles tokens. */
export const ROLES_TOKEN_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/platform/configuration/security/roles-tokens',
    operationId: 'createRolesToken',
    tag: 'Security',
    summary: 'Create a roles token for joining hosts (shown once)',
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['roles'],
        additionalProperties: false,
        properties: {
          roles: rolesArray,
          persistent: { type: 'boolean' },
          ttl_seconds: { type: 'integer', minimum: 1 },
        },
      },
    },
    success: [201, 'The token, shown only in this response'],
  },
  {
    method: 'delete',
    path: '/platform/configuration/security/roles-tokens/{id}',
    operationId: 'revokeRolesToken',
    tag: 'Security',
    summary: 'Revoke a roles token: hosts can no longer join or enrol with it',
    authenticated: true,
    success: [200, 'Revoked'],
  },
];
