/** The operations of snapshots and restores (see `operations.ts`). */
import { type Operation } from './operations';

/** Snapshots of a deployment and the restore it was created with. */
export const SNAPSHOT_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/deployments/{id}/snapshots',
    operationId: 'listDeploymentSnapshots',
    tag: 'Deployments',
    summary: 'Snapshots of a deployment (also of a deleted one), newest first: time, size, sha256, status',
    authenticated: true,
    success: [200, 'The snapshots'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/snapshots',
    operationId: 'takeDeploymentSnapshot',
    tag: 'Deployments',
    summary: 'Take a snapshot now into the installation repository (verified, then recorded)',
    authenticated: true,
    success: [201, 'The snapshot record'],
  },
  {
    method: 'delete',
    path: '/deployments/{id}/snapshots/{snapshot}',
    operationId: 'deleteDeploymentSnapshot',
    tag: 'Deployments',
    summary: 'Delete a snapshot: its record, then its file (404 when unknown, 409 while a restore uses it)',
    authenticated: true,
    success: [200, 'The deleted snapshot record'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/_restore',
    operationId: 'restoreDeploymentSnapshot',
    tag: 'Deployments',
    summary:
      "In place: a plan attempt (`restore-snapshot` step) that replaces the deployment's data with one of its own snapshots; a missing or damaged snapshot is refused before any write",
    authenticated: true,
    body: {
      schema: {
        type: 'object',
        required: ['snapshot'],
        additionalProperties: false,
        properties: { snapshot: { type: 'string', description: 'A snapshot id of this deployment' } },
      },
    },
    success: [202, 'The restore plan was accepted (follow it in the activity log)'],
  },
  {
    method: 'get',
    path: '/deployments/{id}/restore',
    operationId: 'getDeploymentRestore',
    tag: 'Deployments',
    summary: 'Progress of the restore a deployment was created with (`pending`, `done`, `failed`)',
    authenticated: true,
    success: [200, 'The restore record'],
  },
  {
    method: 'post',
    path: '/deployments/{id}/etcd/{ref_id}/credentials/_reset',
    operationId: 'resetEtcdCredentials',
    tag: 'Deployments',
    summary:
      "Sets a new random password for the etcd resource's `root` user and returns it, once: `{username, password}` (turns etcd authentication on when it was off). Like ECE's `_reset-password`",
    authenticated: true,
    success: [200, 'The new credentials (shown only in this answer)'],
  },
];
