/**
 * `wharf deployment shutdown|start <id>`, `wharf deployment stop-instances|start-instances <id>
 * <ids>` and `wharf deployment restore <id> --snapshot <s>`: thin calls to the action routes
 * (`POST /deployments/:id/_shutdown`, `_start`, `instances/<ids>/_stop`, `instances/<ids>/_start`,
 * `_restore`); `--track` follows the plan they start.
 */
import { WharfError, assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { knownAttempts, planIdOf, track, type DeploymentCommandOptions } from './deployment';

/** `stop-instances` options. */
export interface StopInstancesOptions extends DeploymentCommandOptions {
  /** Stop even when an etcd resource would lose its running majority. */
  force?: boolean;
}

/** `restore` options. */
export interface RestoreOptions extends DeploymentCommandOptions {
  /** The snapshot of the deployment to put back. */
  snapshot: string;
}

/** A deployment action: `shutdown` or `start`. */
export type DeploymentActionName = 'shutdown' | 'start';
/** An instance action: `stop` or `start`. */
export type InstancesActionName = 'stop' | 'start';

/** Runs `deployment shutdown <id>` or `deployment start <id>`. */
export async function deploymentAction(
  client: ApiClient,
  action: DeploymentActionName,
  rawId: string,
  options: DeploymentCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const summary = action === 'shutdown' ? `deployment ${id}: shutting down` : `deployment ${id}: starting`;
  return post(client, id, `/deployments/${id}/_${action}`, options, ctx, summary);
}

/** Runs `deployment restore <id> --snapshot <s>`: the deployment's data replaced by the snapshot's. */
export async function restoreAction(
  client: ApiClient,
  rawId: string,
  options: RestoreOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const snapshot = assertId('snapshot', options.snapshot);
  const summary = `deployment ${id}: restoring snapshot ${snapshot}`;
  return post(client, id, `/deployments/${id}/_restore`, options, ctx, summary, { snapshot });
}

/** Runs `deployment stop-instances <id> <ids>` or `deployment start-instances <id> <ids>`. */
export async function instancesAction(
  client: ApiClient,
  action: InstancesActionName,
  rawId: string,
  rawIds: string,
  options: StopInstancesOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const ids = instanceIdsOf(rawIds);
  const query = action === 'stop' && options.force === true ? '?force=true' : '';
  const path = `/deployments/${id}/instances/${ids.join(',')}/_${action}${query}`;
  const verb = action === 'stop' ? 'stopping' : 'starting';
  return post(client, id, path, options, ctx, `deployment ${id}: ${verb} ${ids.join(', ')}`);
}

/** Comma-separated instance ids, each checked before it becomes part of a URL path. */
export function instanceIdsOf(raw: string): string[] {
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (ids.length === 0)
    throw new WharfError('WHARF_VALIDATION', 'name at least one instance id (comma-separated)');
  return ids.map((i) => assertId('instance', i));
}

async function post(
  client: ApiClient,
  id: string,
  path: string,
  options: DeploymentCommandOptions,
  ctx: CliContext,
  summary: string,
  body?: unknown,
): Promise<number> {
  const known = options.track ? await knownAttempts(client, id) : new Set<string>();
  const res = await client.request<Record<string, unknown>>('POST', path, body === undefined ? {} : { body });
  ctx.stdout.write(`${options.json && !options.track ? JSON.stringify(res.body ?? {}, null, 2) : summary}\n`);
  if (!options.track) return 0;
  return track(client, id, options, ctx, { planId: planIdOf(res.body), known, deletion: false });
}
