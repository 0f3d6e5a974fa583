/**
 * The command tree of `wharf org …` and `wharf billing export` (running a Wharf business:
 * tenants and what they used). Kept beside `program.ts`, like `platform backup`, so each group of
 * commands stays a file of its own.
 */
import { type Command } from 'commander';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { type GlobalOptions, act, optionGroup, runner } from '../program';
import { type BillingExportOptions, exportBilling } from './billing';
import {
  type OrgCommandOptions,
  type OrgCreateOptions,
  type OrgQuotaOptions,
  createOrganization,
  deleteOrganization,
  listOrganizations,
  setOrganizationQuotas,
  showOrganization,
} from './organization';

/** Builds the API client of one invocation from its global options. */
export type ClientFactory = (options: GlobalOptions) => ApiClient;

/** Adds `org list|create|show|delete`, `org quotas set` and `billing export` to `program`. */
export function addTenancyCommands(
  program: Command,
  client: ClientFactory,
  ctx: CliContext,
  setExitCode: (code: number) => void,
): void {
  const run = runner(setExitCode);
  const org = program
    .command('org')
    .description('organizations (tenants): their deployments, quotas and usage');
  org
    .command('list')
    .description('list organizations with their quotas')
    .action(act(run, (o: OrgCommandOptions & GlobalOptions) => listOrganizations(client(o), o, ctx)));
  const quotaFlags = optionGroup(
    ['--memory-mb <mb>', 'total memory of its deployments (size × zones; default unlimited)'],
    ['--deployments <n>', 'number of deployments (default unlimited)'],
  );
  quotaFlags(
    org
      .command('create <id>')
      .description('create an organization (POST /organizations)')
      .option('--name <name>', 'display name (default: the id)'),
  ).action(
    act(run, (id: string, o: OrgCreateOptions & GlobalOptions) => createOrganization(client(o), id, o, ctx)),
  );
  org
    .command('show <id>')
    .description('an organization, its quotas and what it uses now')
    .action(
      act(run, (id: string, o: OrgCommandOptions & GlobalOptions) => showOrganization(client(o), id, o, ctx)),
    );
  org
    .command('delete <id>')
    .description('delete an organization (refused while it owns deployments)')
    .action(
      act(run, (id: string, o: OrgCommandOptions & GlobalOptions) =>
        deleteOrganization(client(o), id, o, ctx),
      ),
    );
  quotaFlags(
    org
      .command('quotas')
      .description("change an organization's quotas")
      .command('set <id>')
      .description('replace the quotas: a flag left out is unlimited; refused below current use'),
  ).action(
    act(run, (id: string, o: OrgQuotaOptions & GlobalOptions) =>
      setOrganizationQuotas(client(o), id, o, ctx),
    ),
  );

  program
    .command('billing')
    .description('usage and billing')
    .command('export')
    .description('priced usage of the hours starting in [from, to): one line per deployment × stack')
    .requiredOption('--from <time>', 'first hour (ISO 8601, e.g. 2026-12-01T00:00:00Z)')
    .requiredOption('--to <time>', 'end of the period (exclusive)')
    .option('--organization <id>', "only this organization's deployments")
    .option('--format <format>', 'csv or json (default csv; json with --json)')
    .option('--out <file>', 'write the export to this file (mode 0600) instead of stdout')
    .action(act(run, (o: BillingExportOptions & GlobalOptions) => exportBilling(client(o), o, ctx)));
}
