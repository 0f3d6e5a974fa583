/**
 * `wharf deployment create|show|update|delete` (`list`: deployment-list.ts) and `wharf deployment plan cancel`: thin
 * calls to the REST API; `--track` follows the resulting plan attempt step by step.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WharfError, assertId } from '@wharf/model';
import { type ApiClient, type RequestOptions } from '../api/api-client';
import { parseInteger } from '../config/values';
import { type CliContext } from '../context';
import { credentialLines, SHOWN_ONCE } from './credentials';
import { attemptsOf, trackPlan } from '../track/track-plan';

/** Options every deployment command shares. */
export interface DeploymentCommandOptions {
  json?: boolean;
  track?: boolean;
  trackTimeout?: string;
}

/** `create` options. */
export interface CreateOptions extends DeploymentCommandOptions {
  file: string;
  requestId?: string;
  validateOnly?: boolean;
}

/** `restart` options. */
export interface RestartOptions extends DeploymentCommandOptions {
  groupBy?: string;
}

/** `update` options. */
export interface UpdateOptions extends DeploymentCommandOptions {
  file: string;
  version?: string;
}

/** Runs `deployment create`. */
export async function createDeployment(
  client: ApiClient,
  options: CreateOptions,
  ctx: CliContext,
): Promise<number> {
  const plan = await readPlanFile(options.file, ctx.cwd);
  const res = await client.request<Record<string, unknown>>('POST', '/deployments', {
    body: plan,
    query: {
      ...(options.requestId === undefined ? {} : { request_id: options.requestId }),
      ...(options.validateOnly ? { validate_only: true } : {}),
    },
  });
  if (options.validateOnly) {
    write(ctx, options.json ? JSON.stringify(res.body ?? { valid: true }, null, 2) : 'the plan is valid');
    return 0;
  }
  const id = deploymentIdOf(res.body);
  const endpoint = typeof res.body?.endpoint === 'string' ? `; endpoint ${res.body.endpoint}` : '';
  const credentials = credentialLines(res.body);
  const summary = [
    `deployment ${id} created${endpoint}`,
    ...credentials,
    ...(credentials.length ? [SHOWN_ONCE] : []),
  ];
  report(ctx, options, res.body, summary.join('\n'));
  if (!options.track) return 0;
  return track(client, id, options, ctx, { planId: planIdOf(res.body), known: new Set(), deletion: false });
}

/** Runs `deployment update <id>`. */
export async function updateDeployment(
  client: ApiClient,
  rawId: string,
  options: UpdateOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const plan = await readPlanFile(options.file, ctx.cwd);
  const version =
    options.version === undefined ? undefined : parseInteger('--version', options.version, 0, 2 ** 31 - 1);
  return startPlan(client, id, options, ctx, {
    method: 'PUT',
    request: { body: plan, query: version === undefined ? {} : { version } },
    summary: `deployment ${id}: plan accepted`,
  });
}

/** Runs `deployment delete <id>`. */
export async function deleteDeployment(
  client: ApiClient,
  rawId: string,
  options: DeploymentCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  return startPlan(client, id, options, ctx, { method: 'DELETE', summary: `deployment ${id}: deleting` });
}

/** Runs `deployment restart`: a rolling restart plan (`POST /deployments/:id/_restart`). */
export async function restartDeployment(
  client: ApiClient,
  rawId: string,
  options: RestartOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const known = options.track ? await knownAttempts(client, id) : new Set<string>();
  // The api validates group_by and answers 400 naming it; the CLI passes it through unchanged.
  const query = options.groupBy === undefined ? '' : `?group_by=${encodeURIComponent(options.groupBy)}`;
  const res = await client.request<Record<string, unknown>>('POST', `/deployments/${id}/_restart${query}`);
  write(
    ctx,
    options.json && !options.track ? JSON.stringify(res.body ?? {}, null, 2) : `deployment ${id}: restarting`,
  );
  if (!options.track) return 0;
  return track(client, id, options, ctx, { planId: planIdOf(res.body), known, deletion: false });
}

/** Runs `deployment show <id>` (the API's JSON, pretty-printed). */
export async function showDeployment(client: ApiClient, rawId: string, ctx: CliContext): Promise<number> {
  const id = assertId('deployment', rawId);
  const res = await client.request('GET', `/deployments/${id}`);
  write(ctx, JSON.stringify(res.body, null, 2));
  return 0;
}

/** Runs `deployment plan cancel <id>`. */
export async function cancelPlan(
  client: ApiClient,
  rawId: string,
  options: DeploymentCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const res = await client.request('DELETE', `/deployments/${id}/plan/pending`);
  report(ctx, options, res.body, `deployment ${id}: pending plan cancelled`);
  return 0;
}

/** Reads and parses a plan file (`-` reads standard input). */
export async function readPlanFile(file: string, cwd: string): Promise<unknown> {
  const path = file === '-' ? '/dev/stdin' : resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new WharfError('WHARF_BAD_REQUEST', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new WharfError('WHARF_BAD_REQUEST', `${file} is not JSON: ${(err as Error).message}`, {
      details: [{ path: file, message: 'not JSON' }],
    });
  }
}

/**
 * `PUT` or `DELETE /deployments/<id>`, which start a plan, reported as the answer with `--json`
 * (unless tracking), else as `summary`; with `--track`, follows the plan started.
 */
async function startPlan(
  client: ApiClient,
  id: string,
  options: DeploymentCommandOptions,
  ctx: CliContext,
  plan: { method: 'PUT' | 'DELETE'; request?: RequestOptions; summary: string },
): Promise<number> {
  const known = options.track ? await knownAttempts(client, id) : new Set<string>();
  const res = await client.request(plan.method, `/deployments/${id}`, plan.request);
  report(ctx, options, res.body, plan.summary);
  if (!options.track) return 0;
  const deletion = plan.method === 'DELETE';
  return track(client, id, options, ctx, { planId: planIdOf(res.body), known, deletion });
}

/** Follows the plan an action started (`--track`). */
export async function track(
  client: ApiClient,
  id: string,
  options: DeploymentCommandOptions,
  ctx: CliContext,
  what: { planId: string | undefined; known: ReadonlySet<string>; deletion: boolean },
): Promise<number> {
  const timeoutS =
    options.trackTimeout === undefined
      ? undefined
      : parseInteger('--track-timeout', options.trackTimeout, 1, 86_400);
  return trackPlan({
    client,
    deploymentId: id,
    ...(what.planId === undefined ? {} : { planId: what.planId }),
    knownAttemptIds: what.known,
    expectDeletion: what.deletion,
    out: ctx.stdout,
    json: options.json === true,
    ...(timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 }),
  });
}

/** Attempt ids that exist now, so tracking skips them. */
export async function knownAttempts(client: ApiClient, id: string): Promise<Set<string>> {
  const res = await client.request('GET', `/deployments/${id}/plan/activity`, { allow: [404] });
  return new Set(res.status === 404 ? [] : attemptsOf(res.body).map((a) => a.plan_attempt_id));
}

function deploymentIdOf(body: unknown): string {
  const id = (body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string')
    throw new WharfError('WHARF_INTERNAL', 'the API answered without a deployment id');
  return assertId('deployment', id);
}

/** The plan id of a create/update/delete answer, wherever the API puts it. */
export function planIdOf(body: unknown): string | undefined {
  const b = (body ?? {}) as Record<string, unknown>;
  const nested = (key: string) => (b[key] as { plan_id?: unknown } | undefined)?.plan_id;
  const found = [b.plan_id, nested('plan'), nested('pending_plan'), nested('pending')].find(
    (v) => typeof v === 'string',
  );
  return found as string | undefined;
}

/** The API's answer with `--json` (unless `--track` prints the steps instead), else `summary`. */
function report(ctx: CliContext, options: DeploymentCommandOptions, body: unknown, summary: string): void {
  write(ctx, options.json && !options.track ? JSON.stringify(body ?? {}, null, 2) : summary);
}

function write(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${text}\n`);
}
