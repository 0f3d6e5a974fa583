/** The operations of deployment and instance actions (see `operations.ts`, `routes/actions.ts`). */
import { type Operation } from './operations';

/** `_shutdown` / `_start` of a deployment, `_stop` / `_start` of listed instances (ECE shapes). */
export const ACTION_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/deployments/{id}/_shutdown',
    operationId: 'shutdownDeployment',
    tag: 'Deployments',
    summary:
      'Stop every instance, keeping its data: the proxies answer 503 `WHARF_DEPLOYMENT_SHUT_DOWN` until `_start` (or `_restart`)',
    authenticated: true,
    success: [202, 'Accepted: the shutdown plan is pending'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/_start',
    operationId: 'startDeployment',
    tag: 'Deployments',
    summary: 'Start every stopped instance (after `_shutdown` or instance `_stop`) on its own data',
    authenticated: true,
    success: [202, 'Accepted: the start plan is pending'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/instances/{instance_ids}/_stop',
    operationId: 'stopDeploymentInstances',
    tag: 'Deployments',
    summary:
      'Stop the listed instances (comma-separated ids), drained first, data kept; refused when an etcd resource would lose its running majority',
    authenticated: true,
    query: [
      {
        name: 'force',
        description: 'Stop even when an etcd resource would be left without a running majority',
        schema: { type: 'boolean' },
      },
    ],
    success: [202, 'Accepted: the stop plan is pending'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/instances/{instance_ids}/_start',
    operationId: 'startDeploymentInstances',
    tag: 'Deployments',
    summary: 'Start the listed stopped instances (comma-separated ids) and route them once healthy',
    authenticated: true,
    success: [202, 'Accepted: the start plan is pending'],
  },
];
