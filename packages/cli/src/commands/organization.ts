/**
 * `wharf org list|create|show|delete` and `wharf org quotas set`: organizations (tenants) through
 * `/organizations`. The api validates every field (400 naming it) and refuses a quota below what
 * is in use or deleting an organization that owns deployments (409); ids are checked here before
 * they become part of a URL.
 */
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { parseInteger } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';

/** Options of every `org` command. */
export interface OrgCommandOptions {
  json?: boolean;
}

/** `org create` options. */
export interface OrgCreateOptions extends OrgCommandOptions {
  name?: string;
  memoryMb?: string;
  deployments?: string;
}

/** `org quotas set` options: the whole quota set (an absent quota is unlimited). */
export interface OrgQuotaOptions extends OrgCommandOptions {
  memoryMb?: string;
  deployments?: string;
}

interface OrganizationView {
  id: string;
  name: string;
  created?: string;
  quotas: { memory_mb?: number; deployments?: number };
  usage?: { memory_mb: number; deployments: number };
}

/** Largest quota the api accepts. */
const MAX_QUOTA = 2 ** 31;

/** The quota object of `--memory-mb` / `--deployments`. Throws naming the flag. */
export function quotasOf(options: OrgQuotaOptions): OrganizationView['quotas'] {
  const quotas: OrganizationView['quotas'] = {};
  if (options.memoryMb !== undefined)
    quotas.memory_mb = parseInteger('--memory-mb', options.memoryMb, 0, MAX_QUOTA);
  if (options.deployments !== undefined)
    quotas.deployments = parseInteger('--deployments', options.deployments, 0, MAX_QUOTA);
  return quotas;
}

const quota = (value: number | undefined): string => (value === undefined ? 'unlimited' : String(value));

/** Lines of an organization table. Pure. */
export function formatOrganizations(organizations: readonly OrganizationView[]): string[] {
  if (organizations.length === 0) return ['no organizations'];
  return formatTable(
    ['ID', 'NAME', 'MEMORY_MB QUOTA', 'DEPLOYMENTS QUOTA'],
    organizations.map((o) => [o.id, o.name, quota(o.quotas.memory_mb), quota(o.quotas.deployments)]),
  );
}

/** Lines of one organization with its usage against its quotas. Pure. */
export function formatOrganization(o: OrganizationView): string[] {
  const used = (key: 'memory_mb' | 'deployments'): string =>
    `${o.usage?.[key] ?? '?'} of ${quota(o.quotas[key])}`;
  return [
    `organization ${o.id}: ${o.name}`,
    ...(o.created === undefined ? [] : [`  created      ${o.created}`]),
    `  memory_mb    ${used('memory_mb')}`,
    `  deployments  ${used('deployments')}`,
  ];
}

function print(ctx: CliContext, json: boolean | undefined, body: unknown, lines: () => string[]): void {
  ctx.stdout.write(json ? `${JSON.stringify(body, null, 2)}\n` : `${lines().join('\n')}\n`);
}

/** Runs `org list`. */
export async function listOrganizations(
  client: ApiClient,
  options: OrgCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const res = await client.request<{ organizations: OrganizationView[] }>('GET', '/organizations');
  const organizations = res.body.organizations;
  print(ctx, options.json, organizations, () => formatOrganizations(organizations));
  return 0;
}

/** Runs `org create <id> --name N [--memory-mb M] [--deployments D]`. */
export async function createOrganization(
  client: ApiClient,
  rawId: string,
  options: OrgCreateOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('organization', rawId);
  const body = { id, name: options.name ?? id, quotas: quotasOf(options) };
  const res = await client.request<OrganizationView>('POST', '/organizations', { body });
  print(ctx, options.json, res.body, () => [`organization ${id} created`]);
  return 0;
}

/**
 * `method /organizations/<id><suffix>` for the id given on the command line (checked before it
 * becomes part of the URL), its answer printed as `lines` (JSON with `--json`).
 */
async function onOrganization(
  client: ApiClient,
  rawId: string,
  request: { method: string; suffix?: string; body?: unknown },
  options: OrgCommandOptions,
  ctx: CliContext,
  lines: (id: string, body: OrganizationView) => string[],
): Promise<number> {
  const id = assertId('organization', rawId);
  const path = `/organizations/${id}${request.suffix ?? ''}`;
  const res = await client.request<OrganizationView>(request.method, path, {
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  print(ctx, options.json, res.body, () => lines(id, res.body));
  return 0;
}

/** Runs `org show <id>`: the organization, its quotas and what it uses. */
export function showOrganization(
  client: ApiClient,
  rawId: string,
  options: OrgCommandOptions,
  ctx: CliContext,
): Promise<number> {
  return onOrganization(client, rawId, { method: 'GET' }, options, ctx, (_id, body) =>
    formatOrganization(body),
  );
}

/** Runs `org delete <id>` (refused by the api while it owns deployments). */
export function deleteOrganization(
  client: ApiClient,
  rawId: string,
  options: OrgCommandOptions,
  ctx: CliContext,
): Promise<number> {
  return onOrganization(client, rawId, { method: 'DELETE' }, options, ctx, (id) => [
    `organization ${id} deleted`,
  ]);
}

/** Runs `org quotas set <id> [--memory-mb M] [--deployments D]`: replaces the whole quota set. */
export function setOrganizationQuotas(
  client: ApiClient,
  rawId: string,
  options: OrgQuotaOptions,
  ctx: CliContext,
): Promise<number> {
  const request = { method: 'PUT', suffix: '/quotas', body: quotasOf(options) };
  return onOrganization(client, rawId, request, options, ctx, (_id, body) => formatOrganization(body));
}
