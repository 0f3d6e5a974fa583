/**
 * `wharf deployment list`: one page of `GET /deployments`, filtered by the API
 * (`--name-prefix`, `--stack`, `--status`, `--allocator`), or with `--all` every matching
 * deployment by following `next_cursor` page by page (stable while deployments come and go).
 */
import { type Command } from 'commander';
import { type ApiClient } from '../api/api-client';
import { parseInteger } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';
import { type DeploymentCommandOptions } from './deployment';

/** `list` options. */
export interface ListOptions extends DeploymentCommandOptions {
  namePrefix?: string;
  stack?: string;
  status?: string;
  allocator?: string;
  size?: string;
  all?: boolean;
}

/** The API's largest page, asked for by `--all` (10,000 deployments: 10 requests). */
const ALL_PAGE_SIZE = 1000;
/** Largest `--size` (the API's limit). */
const MAX_SIZE = 1000;
/** Pages `--all` follows at most: a cursor that never ends is a bug, not a reason to loop forever. */
const MAX_PAGES = 10_000;

/** Adds the `list` options to `cmd`. */
export function listOptions(cmd: Command): Command {
  return cmd
    .option('--name-prefix <prefix>', 'only names starting with this')
    .option('--stack <kind>', 'only deployments running this stack (etcd, http)')
    .option(
      '--status <status>',
      'only this status (creating, updating, running, stopped, deleting, inactive)',
    )
    .option('--allocator <id>', 'only deployments with an instance on this allocator')
    .option('--size <n>', `deployments per page (default 100, at most ${MAX_SIZE})`)
    .option('--all', 'every matching deployment, following the pages');
}

interface Page {
  deployments: Record<string, unknown>[];
  total?: unknown;
  next_cursor?: unknown;
}

function pageOf(body: unknown): Page {
  const b = (body ?? {}) as Record<string, unknown>;
  const list = Array.isArray(body) ? body : b.deployments;
  const deployments = Array.isArray(list)
    ? list.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
    : [];
  return { deployments, total: b.total, next_cursor: b.next_cursor };
}

const text = (value: unknown): string => (value === undefined || value === null ? '-' : String(value));

/** Runs `deployment list`. */
export async function listDeployments(
  client: ApiClient,
  options: ListOptions,
  ctx: CliContext,
): Promise<number> {
  const size = options.size === undefined ? undefined : parseInteger('--size', options.size, 0, MAX_SIZE);
  const query = {
    name_prefix: options.namePrefix,
    stack: options.stack,
    status: options.status,
    allocator: options.allocator,
    size: size ?? (options.all ? ALL_PAGE_SIZE : undefined),
  };
  let res = await client.request<unknown>('GET', '/deployments', { query });
  let page = pageOf(res.body);
  const all = [...page.deployments];
  for (let n = 1; options.all && typeof page.next_cursor === 'string' && n < MAX_PAGES; n++) {
    res = await client.request<unknown>('GET', '/deployments', {
      query: { ...query, cursor: page.next_cursor },
    });
    page = pageOf(res.body);
    all.push(...page.deployments);
  }
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  if (options.json) {
    out(JSON.stringify(options.all ? { deployments: all, total: all.length } : res.body, null, 2));
    return 0;
  }
  if (all.length === 0) {
    out('no deployments');
    return 0;
  }
  const rows = all.map((d) => [text(d.id), text(d.name), text(d.status), text(d.created)]);
  out(formatTable(['ID', 'NAME', 'STATUS', 'CREATED'], rows).join('\n'));
  if (!options.all && typeof page.next_cursor === 'string')
    out(`(${all.length} of ${text(page.total)}; --all lists every one)`);
  return 0;
}
