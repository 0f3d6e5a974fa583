/**
 * `wharf template list|show` and `wharf instance-configuration list|show`: the catalog
 * (`/deployments/templates`, `/platform/configuration/instances`), read-only.
 */
import { assertId, assertInstanceConfigurationId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';

/** Options of the catalog commands. */
export interface CatalogCommandOptions {
  json?: boolean;
}

interface Element {
  instance_configuration_id: string;
  size: { value: number };
  zone_count: number;
}

interface TemplateRow {
  id: string;
  name: string;
  system_owned: boolean;
  stored: boolean;
  deployment: { resources: Record<string, { plan: { cluster_topology: Element[] } }[]> };
}

interface ConfigurationRow {
  id: string;
  stack: string;
  system_owned: boolean;
  stored: boolean;
  discrete_sizes?: { sizes: number[]; default_size: number };
}

const source = (row: { system_owned: boolean; stored: boolean }): string =>
  row.stored ? (row.system_owned ? 'overridden' : 'stored') : 'built-in';

/** `stack: N×size MB on configuration` for each topology element of a template. */
function shape(template: TemplateRow): string {
  return Object.entries(template.deployment.resources)
    .flatMap(([stack, resources]) =>
      resources.flatMap((r) =>
        r.plan.cluster_topology.map(
          (e) => `${stack}: ${e.zone_count}x${e.size.value} MB ${e.instance_configuration_id}`,
        ),
      ),
    )
    .join('; ');
}

function write(ctx: CliContext, header: string[], rows: string[][]): void {
  ctx.stdout.write(`${formatTable(header, rows).join('\n')}\n`);
}

/** Runs `template list`. */
export async function listTemplates(
  client: ApiClient,
  options: CatalogCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const { templates } = (await client.request<{ templates: TemplateRow[] }>('GET', '/deployments/templates'))
    .body;
  if (options.json) ctx.stdout.write(`${JSON.stringify(templates, null, 2)}\n`);
  else
    write(
      ctx,
      ['ID', 'NAME', 'SOURCE', 'TOPOLOGY'],
      templates.map((t) => [t.id, t.name, source(t), shape(t)]),
    );
  return 0;
}

/** Runs `template show <id>`: the template as JSON (its `deployment` is a create request). */
export async function showTemplate(client: ApiClient, rawId: string, ctx: CliContext): Promise<number> {
  const id = assertId('template', rawId);
  const res = await client.request('GET', `/deployments/templates/${id}`);
  ctx.stdout.write(`${JSON.stringify(res.body, null, 2)}\n`);
  return 0;
}

/** Runs `instance-configuration list`. */
export async function listInstanceConfigurations(
  client: ApiClient,
  options: CatalogCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const path = '/platform/configuration/instances';
  const configs = (await client.request<{ instance_configurations: ConfigurationRow[] }>('GET', path)).body
    .instance_configurations;
  if (options.json) ctx.stdout.write(`${JSON.stringify(configs, null, 2)}\n`);
  else
    write(
      ctx,
      ['ID', 'STACK', 'SOURCE', 'SIZES (MB)'],
      configs.map((c) => [c.id, c.stack, source(c), c.discrete_sizes?.sizes.join(',') ?? 'any']),
    );
  return 0;
}

/** Runs `instance-configuration show <id>`. */
export async function showInstanceConfiguration(
  client: ApiClient,
  rawId: string,
  ctx: CliContext,
): Promise<number> {
  const id = assertInstanceConfigurationId(rawId);
  const res = await client.request('GET', `/platform/configuration/instances/${id}`);
  ctx.stdout.write(`${JSON.stringify(res.body, null, 2)}\n`);
  return 0;
}
