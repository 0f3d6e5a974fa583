/** The operations of the catalog: instance configurations and deployment templates (see `operations.ts`). */
import { type Operation } from './operations';

const CONFIGURATIONS = '/platform/configuration/instances';
const TEMPLATES = '/deployments/templates';

/** Instance configurations (tag Platform) and deployment templates (tag Deployments). */
export const CATALOG_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: CONFIGURATIONS,
    operationId: 'listInstanceConfigurations',
    tag: 'Platform',
    summary: 'Instance configurations: the built-ins, overridden by stored ones of the same id',
    authenticated: true,
    success: [200, 'The instance configurations'],
  },
  {
    method: 'get',
    path: `${CONFIGURATIONS}/{id}`,
    operationId: 'getInstanceConfiguration',
    tag: 'Platform',
    summary: 'One instance configuration',
    authenticated: true,
    success: [200, 'The instance configuration'],
  },
  {
    method: 'put',
    path: `${CONFIGURATIONS}/{id}`,
    operationId: 'putInstanceConfiguration',
    tag: 'Platform',
    summary: 'Create or replace an instance configuration (a built-in id is overridden)',
    authenticated: true,
    body: { kind: 'instance-configuration-request' },
    success: [200, 'Replaced (201: created)'],
  },
  {
    method: 'delete',
    path: `${CONFIGURATIONS}/{id}`,
    operationId: 'deleteInstanceConfiguration',
    tag: 'Platform',
    summary: "Delete a stored instance configuration (409 while a deployment's plan uses it)",
    authenticated: true,
    success: [200, 'Deleted'],
  },
  {
    method: 'get',
    path: TEMPLATES,
    operationId: 'listDeploymentTemplates',
    tag: 'Deployments',
    summary: 'Deployment templates: the built-ins, overridden by stored ones of the same id',
    authenticated: true,
    success: [200, 'The templates'],
  },
  {
    method: 'get',
    path: `${TEMPLATES}/{id}`,
    operationId: 'getDeploymentTemplate',
    tag: 'Deployments',
    summary: 'One deployment template',
    authenticated: true,
    success: [200, 'The template'],
  },
  {
    method: 'put',
    path: `${TEMPLATES}/{id}`,
    operationId: 'putDeploymentTemplate',
    tag: 'Deployments',
    summary: 'Create or replace a deployment template (platform-admin)',
    authenticated: true,
    body: { kind: 'deployment-template-request' },
    success: [200, 'Replaced (201: created)'],
  },
  {
    method: 'delete',
    path: `${TEMPLATES}/{id}`,
    operationId: 'deleteDeploymentTemplate',
    tag: 'Deployments',
    summary: 'Delete a stored deployment template (platform-admin)',
    authenticated: true,
    success: [200, 'Deleted'],
  },
];
