/**
 * `run(argv, ctx)`: parses a command line, runs the command, prints any error as
 * `error CODE: message` (plus detail paths) and returns the exit code. No `process` access here.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { resolve } from 'node:path';
import { ApiClient } from './api/api-client';
import { recordedApi, resolveApiCa } from './api/api-ca';
import {
  cancelPlan,
  createDeployment,
  deleteDeployment,
  restartDeployment,
  showDeployment,
  updateDeployment,
} from './commands/deployment';
import { listDeployments } from './commands/deployment-list';
import { showActivity } from './commands/activity';
import { deploymentAction, instancesAction, restoreAction } from './commands/deployment-actions';
import { resetCredentials } from './commands/credentials';
import { listEvents, showLogs } from './commands/events';
import { runDown } from './commands/down';
import { addPlatformBackupCommands } from './commands/platform-backup';
import { addDirectorCommands } from './commands/director';
import { addSecureAclsCommand } from './commands/secure-acls';
import { addTenancyCommands } from './commands/tenancy-commands';
import { addBrandingCommands } from './commands/branding';
import { vacateAllocator } from './commands/allocator';
import { deleteSnapshot } from './commands/snapshot';
import {
  listInstanceConfigurations,
  listTemplates,
  showInstanceConfiguration,
  showTemplate,
} from './commands/catalog';
import { listHosts, setHostRoles } from './commands/host';
import { joinHost } from './commands/host-join';
import { enrolThisHost, rotateThisHost } from './commands/host-enrol';
import { createApiKey, listApiKeys, revokeApiKey } from './commands/apikey';
import { loadPlatform, runStatus } from './commands/status';
import { runUp } from './commands/up';
import { resolveClientConfig } from './config/client-config';
import { DEFAULT_HOME } from './config/up-config';
import { type CliContext } from './context';
import { formatError } from './output/format';
import { type CommandHandlers, type GlobalOptions, buildProgram, runner } from './program';

/** Runs one `wharf` command line (`argv` without `node` and the script). */
export async function run(
  argv: readonly string[],
  ctx: CliContext,
  handlers = defaultHandlers(ctx),
): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(handlers, ctx, (code) => (exitCode = code));
  addPlatformBackupCommands(program, ctx, (code) => (exitCode = code));
  addDirectorCommands(program, ctx, (code) => (exitCode = code));
  addSecureAclsCommand(program, ctx, (code) => (exitCode = code));
  addTenancyCommands(program, apiClientFactory(ctx), ctx, (code) => (exitCode = code));
  addBrandingCommands(
    program,
    apiClientFactory(ctx),
    ctx,
    runner((code) => (exitCode = code)),
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    // Commander already printed usage errors and help; its exit code is 0 for help, 1 otherwise.
    if (err instanceof CommanderError) return err.exitCode;
    ctx.stderr.write(`${formatError(err).join('\n')}\n`);
    return 1;
  }
}

/** The API client of one invocation: global options, then the environment, then `$WHARF_HOME`. */
export function apiClientFactory(ctx: CliContext) {
  return (options: GlobalOptions, fallbackUrl?: string): ApiClient => {
    // The platform `wharf up` recorded in the home: its api URL (https:// when --secure) and CA.
    const recorded = recordedApi(
      resolve(ctx.cwd, options.home ?? (ctx.env.WHARF_HOME || DEFAULT_HOME)),
      readIfPresent,
    );
    const api = options.api ?? (ctx.env.WHARF_API ? undefined : (fallbackUrl ?? recorded.url));
    const config = resolveClientConfig(
      { ...options, ...(api === undefined ? {} : { api }) },
      ctx.env,
      ctx.cwd,
      readIfPresent,
    );
    const ca = resolveApiCa(options.ca, ctx.env, recorded, readIfPresent);
    return new ApiClient({
      baseUrl: config.baseUrl,
      ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
      ...(ca === undefined ? {} : { ca }),
    });
  };
}

/** The real command implementations. */
export function defaultHandlers(ctx: CliContext): CommandHandlers {
  const client = apiClientFactory(ctx);
  return {
    up: (options) => runUp(options, ctx),
    down: (options) => runDown(options, ctx),
    status: async (options) => {
      const record = await loadPlatform(options, ctx);
      return runStatus(options, record, client(options, record?.api_url), ctx);
    },
    deploymentCreate: (options) => createDeployment(client(options), options, ctx),
    deploymentList: (options) => listDeployments(client(options), options, ctx),
    deploymentShow: (id, options) => showDeployment(client(options), id, ctx),
    deploymentActivity: (id, options) => showActivity(client(options), id, options, ctx),
    deploymentLogs: (id, instance, options) => showLogs(client(options), id, instance, options, ctx),
    events: (options) => listEvents(client(options), options, ctx),
    deploymentUpdate: (id, options) => updateDeployment(client(options), id, options, ctx),
    deploymentDelete: (id, options) => deleteDeployment(client(options), id, options, ctx),
    deploymentRestart: (id, options) => restartDeployment(client(options), id, options, ctx),
    deploymentShutdown: (id, options) => deploymentAction(client(options), 'shutdown', id, options, ctx),
    deploymentStart: (id, options) => deploymentAction(client(options), 'start', id, options, ctx),
    deploymentStopInstances: (id, ids, options) =>
      instancesAction(client(options), 'stop', id, ids, options, ctx),
    deploymentStartInstances: (id, ids, options) =>
      instancesAction(client(options), 'start', id, ids, options, ctx),
    deploymentRestore: (id, options) => restoreAction(client(options), id, options, ctx),
    deploymentCredentialsReset: (id, options) => resetCredentials(client(options), id, options, ctx),
    planCancel: (id, options) => cancelPlan(client(options), id, options, ctx),
    hostJoin: (options) => joinHost(options, ctx),
    hostEnrol: (options) => enrolThisHost(options, ctx),
    pkiRotate: (options) => rotateThisHost(options, ctx),
    hostList: (options) => listHosts(client(options), options, ctx),
    hostRoles: (id, roles, options) => setHostRoles(client(options), id, roles, options, ctx),
    allocatorVacate: (id, options) => vacateAllocator(client(options), id, options, ctx),
    snapshotDelete: (id, snapshot, options) => deleteSnapshot(client(options), id, snapshot, options, ctx),
    templateList: (options) => listTemplates(client(options), options, ctx),
    templateShow: (id, options) => showTemplate(client(options), id, ctx),
    instanceConfigurationList: (options) => listInstanceConfigurations(client(options), options, ctx),
    instanceConfigurationShow: (id, options) => showInstanceConfiguration(client(options), id, ctx),
    apiKeyCreate: (options) => createApiKey(client(options), options, ctx),
    apiKeyList: (options) => listApiKeys(client(options), options, ctx),
    apiKeyRevoke: (id, options) => revokeApiKey(client(options), id, options, ctx),
  };
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
