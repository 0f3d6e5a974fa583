/**
 * The `wharf` command tree (commander). Parsing only: every action hands its options to an
 * injected handler, so tests can check what a command line turns into without doing anything.
 */
import { Command, Option } from 'commander';
import { listOptions } from './commands/deployment-list';
import { addSnapshotCommands } from './commands/snapshot';
import { UP_ENV, type UpOptions, optionFlag } from './config/up-config';
import { type TextSink } from './context';
import { type CommandHandlers } from './handlers';

export type { CommandHandlers, GlobalOptions } from './handlers';

/** Builds the command tree; `setExitCode` receives the finished handler's exit code. */
export function buildProgram(
  handlers: CommandHandlers,
  output: { stdout: TextSink; stderr: TextSink },
  setExitCode: (code: number) => void,
): Command {
  const program = new Command('wharf')
    .description('Run a Wharf platform on this host and manage deployments through its API.')
    .option('--home <dir>', 'state directory (env WHARF_HOME, default ./.wharf)')
    .option('--api <url>', 'API base URL (env WHARF_API, default http://127.0.0.1:12400)')
    .option('--api-key <key>', 'API key (env WHARF_API_KEY, default $WHARF_HOME/credentials/api-key)')
    .option(
      '--ca <file>',
      'CA certificate an https API must chain to (env WHARF_API_CA, default the one wharf up --secure recorded)',
    )
    .option('--json', 'machine-readable output')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.stdout.write(text),
      writeErr: (text) => output.stderr.write(text),
    });
  const run = runner(setExitCode);

  addUpCommand(program, handlers, run);
  addHostCommands(program, handlers, run);
  program
    .command('down')
    .description('stop the platform recorded in $WHARF_HOME/run/platform.json')
    .option('--timeout <seconds>', 'grace per process between SIGTERM and SIGKILL (default 10)')
    .action(act(run, handlers.down));
  program
    .command('status')
    .description('show every platform process and the API platform summary; exit 1 when something is down')
    .action(act(run, handlers.status));
  addDeploymentCommands(program, handlers, run);
  addCatalogCommands(program, handlers, run);
  program
    .command('events')
    .description('recent alert events: allocator lost, plan failed, deployment unavailable, quota reached')
    .option('--since <time>', 'only events at or after this ISO-8601 time')
    .option('--type <type>', 'only events of this type')
    .option('--limit <n>', 'the newest n events (default 100, max 1000)')
    .option('--dead-letters', 'instead: events a webhook target refused on every retry (platform-admin)')
    .option('--target <id>', 'with --dead-letters: only this webhook target')
    .action(act(run, handlers.events));
  return program;
}

/** Wraps a handler so that its exit code goes to `setExitCode`. */
export const runner =
  (setExitCode: (code: number) => void) =>
  <A extends unknown[]>(handler: (...args: A) => Promise<number>) =>
  async (...args: A): Promise<void> =>
    setExitCode(await handler(...args));

type Runner = ReturnType<typeof runner>;

/** `[flags, description]` of an option. */
export type OptionSpec = readonly [flags: string, description: string];

/** Adds a group of options several commands share (`--track`, `--zk`, quotas) to a command. */
export function optionGroup(...specs: OptionSpec[]): (cmd: Command) => Command {
  return (cmd) => specs.reduce((c, [flags, description]) => c.option(flags, description), cmd);
}

/**
 * The action of a command: `handler(...arguments, options)`, options with the global ones (commander
 * passes the arguments, then the command's own options, then the command).
 */
export function act(run: Runner, handler: (...args: never[]) => Promise<number>) {
  const call = run(handler) as (...args: unknown[]) => Promise<void>;
  return (...args: unknown[]): Promise<void> =>
    call(...args.slice(0, -2), (args.at(-1) as Command).optsWithGlobals());
}

function addCatalogCommands(program: Command, handlers: CommandHandlers, run: Runner): void {
  const template = program
    .command('template')
    .description('deployment templates (create from one with the API)');
  template.command('list').description('list deployment templates').action(act(run, handlers.templateList));
  template
    .command('show <id>')
    .description('show a deployment template')
    .action(act(run, handlers.templateShow));
  const ic = program
    .command('instance-configuration')
    .description('instance configurations (sizes per stack)');
  ic.command('list')
    .description('list instance configurations')
    .action(act(run, handlers.instanceConfigurationList));
  ic.command('show <id>')
    .description('show an instance configuration')
    .action(act(run, handlers.instanceConfigurationShow));
}

function addUpCommand(program: Command, handlers: CommandHandlers, run: Runner): void {
  const up = program
    .command('up')
    .description(
      'start ZooKeeper (unless one answers at WHARF_ZK) and every service, each as its own process',
    )
    .option('--detach', 'return once everything is healthy and leave it running (stop with: npx wharf down)')
    .option('--zk <connect>', 'ZooKeeper connect string to use when it answers')
    .option('--zk-port <port>', 'client port of the embedded ZooKeeper (default 2181)')
    .option('--zk-chroot <path>', 'ZooKeeper chroot of the services (default /wharf)')
    .option(
      '--zk-peer-ports <ports>',
      'quorum,election ports of each director ZooKeeper member (default 2888,3888)',
    )
    .option('--api-port <port>', 'API + console port (default 12400)')
    .option('--proxy-ports <ports>', 'one proxy per port, on host-1, host-2, ... (default 9200,9201)')
    .option('--constructors <n>', 'hosts with the coordinator role: api + constructor (default 2)')
    .option(
      '--directors <n>',
      'hosts with the director role: CA, enrolment, quorum health; 3: each runs a ZooKeeper ensemble member (0, 1 or 3; default 1)',
    )
    .option('--director-port <port>', "the director's HTTPS enrolment port (default: a free port)")
    .option('--allocators <n>', 'hosts with the allocator role, one per zone in turn (default 3)')
    .option('--zones <zones>', 'zones allocators are spread over (default zone-a,zone-b,zone-c)')
    .option('--port-base <port>', 'first instance port of allocator-1 (default 20000)')
    .option('--ports-per-allocator <n>', 'instance ports per allocator (default 1000)')
    .option('--capacity-mb <mb>', 'memory each allocator advertises (default 85% of RAM split, at most 4096)')
    .option('--cpus <n>', "CPUs each allocator advertises (default: the allocator's own)")
    .option(
      '--metrics-port-base <port>',
      'first /health + /metrics port of the runners, one per host (default: free ports)',
    )
    .option('--domain <domain>', 'deployments are reached at <id>.<domain> (default localhost)')
    .option('--log-level <level>', 'error, warn, info or debug (default info)')
    .option('--timeout <seconds>', 'how long to wait for every service to be healthy (default 60)')
    .option('--stop-timeout <seconds>', 'grace per service between SIGTERM and SIGKILL (default 10)')
    .option('--mode <mode>', 'process: services as child processes; docker: as containers (default process)')
    .option(
      '--secure',
      'mutual TLS to a TLS-only ZooKeeper with a certificate per service and ACLs by role (docs/security.md)',
    )
    .option(
      '--host-prefix <prefix>',
      'prefix of the simulated host ids, e.g. dev- for dev-host-1 (default none)',
    )
    .option(
      '--services-root <dir>',
      'directory with <service>/dist/main.js (default: the installed @wharf packages)',
    )
    .addOption(new Option('--supervisor <mode>').hideHelp())
    .action(act(run, handlers.up));
  const envLines = (Object.keys(UP_ENV) as (keyof UpOptions)[]).map(
    (key) => `  ${optionFlag(key)}  ${UP_ENV[key]}`,
  );
  up.addHelpText(
    'after',
    `\nEvery option can also be set by an environment variable (the flag wins):\n${envLines.join('\n')}\n`,
  );
}

function addDeploymentCommands(program: Command, handlers: CommandHandlers, run: Runner): void {
  const deployment = program
    .command('deployment')
    .description('create, inspect, change and delete deployments');
  const trackOptions = optionGroup(
    ['--track', 'follow the plan step by step; exit 0 on success, 1 on failure'],
    ['--track-timeout <seconds>', 'stop tracking after this long (default 7200)'],
  );
  trackOptions(
    deployment
      .command('create')
      .description('create a deployment from a plan (POST /deployments)')
      .requiredOption('-f, --file <plan.json>', 'the deployment create request (- for stdin)')
      .option('--request-id <id>', 'idempotency key: the same id never creates two deployments')
      .option('--validate-only', 'validate the plan without creating anything'),
  ).action(act(run, handlers.deploymentCreate));
  listOptions(deployment.command('list').description('list deployments (oldest first)')).action(
    act(run, handlers.deploymentList),
  );
  deployment
    .command('show <id>')
    .description('show one deployment (JSON)')
    .action(act(run, handlers.deploymentShow));
  deployment
    .command('activity <id>')
    .description('the newest plan attempt: each step with its status and duration, then the outcome')
    .action(act(run, handlers.deploymentActivity));
  trackOptions(
    deployment
      .command('update <id>')
      .description('apply a new plan (PUT /deployments/:id)')
      .requiredOption('-f, --file <plan.json>', 'the deployment update request (- for stdin)')
      .option('--version <n>', 'apply only if the deployment is still at this version'),
  ).action(act(run, handlers.deploymentUpdate));
  trackOptions(deployment.command('delete <id>').description('shut down and remove a deployment')).action(
    act(run, handlers.deploymentDelete),
  );
  trackOptions(
    deployment
      .command('restart <id>')
      .description('rolling restart: replace every instance one group at a time (POST _restart)')
      .option('--group-by <g>', '__name__ (one at a time, default), logical_zone_name or __all__'),
  ).action(async (id: string, _opts: unknown, cmd: Command) =>
    run(handlers.deploymentRestart)(id, cmd.optsWithGlobals()),
  );
  addActionCommands(deployment, trackOptions, handlers, run);
  deployment
    .command('logs <id> <instance>')
    .description("the last lines of an instance's log, read by its allocator")
    .option('--tail <n>', 'lines (default 100, max 10000)')
    .action(act(run, handlers.deploymentLogs));
  deployment
    .command('credentials')
    .description("an etcd resource's root credentials")
    .command('reset <id>')
    .description('set a new root password and show it, once (POST .../credentials/_reset)')
    .option('--ref-id <ref>', 'the etcd resource (default main)')
    .action(act(run, handlers.deploymentCredentialsReset));
  deployment
    .command('plan')
    .description('act on the pending plan')
    .command('cancel <id>')
    .description('cancel the pending plan; the running attempt rolls back')
    .action(act(run, handlers.planCancel));
}

/** One tracked deployment action: usage, description, handler, and its own option (if any, maybe required). */
type ActionCommand = [
  usage: string,
  description: string,
  handler: keyof CommandHandlers,
  option?: OptionSpec,
  required?: 'required',
];

/** The deployment actions (`POST .../_<action>`): each writes a plan and takes `--track`. */
const ACTION_COMMANDS: readonly ActionCommand[] = [
  [
    'shutdown <id>',
    'stop every instance, keeping its data; unroutable until started (POST _shutdown)',
    'deploymentShutdown',
  ],
  ['start <id>', 'start every stopped instance on its data (POST _start)', 'deploymentStart'],
  [
    'stop-instances <id> <instance-ids>',
    'stop the listed instances (comma-separated), drained first, data kept',
    'deploymentStopInstances',
    ['--force', 'stop even when an etcd resource would lose its running majority'],
  ],
  [
    'start-instances <id> <instance-ids>',
    'start the listed stopped instances (comma-separated)',
    'deploymentStartInstances',
  ],
  [
    'restore <id>',
    "replace the deployment's data with one of its snapshots, in place (POST _restore)",
    'deploymentRestore',
    ['--snapshot <id>', 'the snapshot to put back (see GET /deployments/<id>/snapshots)'],
    'required',
  ],
];

function addActionCommands(
  deployment: Command,
  trackOptions: (cmd: Command) => Command,
  handlers: CommandHandlers,
  run: Runner,
): void {
  for (const [usage, description, handler, option, required] of ACTION_COMMANDS) {
    const cmd = deployment.command(usage).description(description);
    if (option !== undefined) {
      if (required) cmd.requiredOption(...option);
      else cmd.option(...option);
    }
    trackOptions(cmd).action(act(run, handlers[handler]));
  }
}

/** `host join`: secure (enrolment, mutual TLS) unless `--insecure`. */
function addHostJoinCommand(host: Command, handlers: CommandHandlers, run: Runner): void {
  host
    .command('join')
    .description(
      'enrol this host with a director (mutual TLS by default) and start its runner with the roles token',
    )
    .requiredOption('--zk <addr>', 'ZooKeeper connect string of the platform (its secure client port)')
    .option('--token <token>', 'roles token (or env WHARF_ROLES_TOKEN, which keeps it out of ps)')
    .option(
      '--bootstrap',
      "the installation's first host, no token: secure, with certificates already in --tls-dir; " +
        'with --insecure, allowed once while no host is a coordinator',
    )
    .requiredOption('--zone <zone>', 'availability zone of this host')
    .requiredOption('--roles <roles>', 'comma-separated roles: allocator, proxy, coordinator, director')
    .option('--host-id <id>', 'host id (default: the host name)')
    .option('--address <addr>', 'address the services bind to (default 127.0.0.1)')
    .option('--zk-chroot <path>', 'ZooKeeper chroot (env WHARF_ZK_CHROOT, default /wharf)')
    .option('--director <url>', 'the director enrolment endpoint (default https://127.0.0.1:12500)')
    .option('--ca-fingerprint <sha256>', "the director CA's fingerprint, sha256:<hex> (needed to enrol)")
    .option('--tls-dir <path>', 'where the certificates are kept or written (default $WHARF_HOME/tls)')
    .option('--insecure', 'plaintext ZooKeeper, no certificates: unauthenticated and unencrypted')
    .action(act(run, handlers.hostJoin));
}

function addHostCommands(program: Command, handlers: CommandHandlers, run: Runner): void {
  const host = program.command('host').description('join hosts to the platform and change their roles');
  addHostJoinCommand(host, handlers, run);
  host
    .command('enrol')
    .description("get this host's certificates from a director (pinned CA, keys made here)")
    .option('--director <url>', 'the director enrolment endpoint (default https://127.0.0.1:12500)')
    .requiredOption('--ca-fingerprint <sha256>', "the director CA's fingerprint, sha256:<hex>")
    .option('--token <token>', 'roles token (or env WHARF_ROLES_TOKEN)')
    .requiredOption('--roles <roles>', 'comma-separated roles; one certificate per service they start')
    .option('--host-id <id>', 'host id (default: the host name)')
    .option('--dir <path>', 'where <service>/cert.pem, key.pem, ca.pem go (default $WHARF_HOME/tls)')
    .action(act(run, handlers.hostEnrol));
  program
    .command('pki')
    .command('rotate')
    .description('renew the service certificates through the director (mutual TLS with the current ones)')
    .option('--director <url>', 'the director enrolment endpoint (default https://127.0.0.1:12500)')
    .option('--dir <path>', 'every <service>/ of `host enrol` here is renewed (default $WHARF_HOME/tls)')
    .option('--members', "the TLS ensemble's ZooKeeper member certificates instead: a rolling restart")
    .action(act(run, handlers.pkiRotate));
  host
    .command('list')
    .description('list hosts with their roles and running services')
    .action(act(run, handlers.hostList));
  host
    .command('roles <id> <roles>')
    .description("replace a host's roles (comma-separated; '' for none)")
    .option('--force', 'drop the allocator role even while its allocator runs instances (they stop)')
    .action(act(run, handlers.hostRoles));

  program
    .command('allocator')
    .description('act on allocators')
    .command('vacate <id>')
    .description('move every instance off an allocator (one move plan per deployment)')
    .option(
      '--target <ids>',
      'comma-separated allocators the new instances may go to (default: any eligible)',
    )
    .option('--track', 'follow every move plan until done; exit 0 once the allocator is empty')
    .option('--track-timeout <seconds>', 'stop tracking after this long (default 7200)')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      run(handlers.allocatorVacate)(id, cmd.optsWithGlobals()),
    );

  addSnapshotCommands(program, act(run, handlers.snapshotDelete));
  const apikey = program.command('apikey').description('create, list and revoke API keys');
  apikey
    .command('create')
    .description('create an API key (printed once)')
    .option('--description <text>', 'what the key is for')
    .option('--expires-in <seconds>', 'expire the key after this many seconds (default: never)')
    .option('--role <role>', 'viewer, deployment-manager or platform-admin (default: platform-admin)')
    .action(act(run, handlers.apiKeyCreate));
  apikey
    .command('list')
    .description('list API keys (never their secrets)')
    .action(act(run, handlers.apiKeyList));
  apikey
    .command('revoke <id>')
    .description('revoke an API key (refused for the last platform-admin key that never expires)')
    .action(act(run, handlers.apiKeyRevoke));
}
