#!/usr/bin/env node
/**
 * `wharf-runner`: the process entry point. The only place that reads `process.env`, wires the
 * dependencies together, handles signals and calls `process.exit`.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isWharfError } from '@wharf/model';
import {
  certificateExpiryGauge,
  createLogger,
  createMetrics,
  createObservabilityHandler,
  installShutdown,
  startObservabilityServer,
  type Logger,
  type Metrics,
  runMain,
} from '@wharf/observability';
import { DEFAULT_CONTAINER_UID, DockerRuntime } from '@wharf/runtime';
import { sharePlatformSecret } from '@wharf/stacks';
import {
  ScrapeTokenVerifier,
  ZkSession,
  registerService,
  zkTlsFromEnv,
  type EphemeralRegistration,
  type ZkTlsOptions,
} from '@wharf/zk';
import { helpText, inheritedEnv, configFromEnv, type RunnerConfig } from './config';
import { DEFAULT_DOCKER_SOCKET, DockerLauncher, RUNNER_SCOPE_LABEL } from './docker-launcher';
import { runtimeLogSource } from './docker-logs';
import { type ServiceLauncher } from './launcher';
import { certificateExpiries, secureLaunchContext, serviceTlsEnv } from './certificates';
import { createRunnerMetrics } from './metrics';
import { ProcessLauncher } from './process-launcher';
import { hostHome } from './roles';
import { Runner } from './runner';

/** Version written in the host registration. */
const VERSION = '0.1.0';
/** Exit code when the roles token or the bootstrap is refused (the CLI tells it apart from other failures). */
const EXIT_TOKEN_REFUSED = 3;
/**
 * Hard stop after a shutdown signal: enough for every service's SIGTERM grace (they stop in
 * parallel) plus closing the session; past it, exit anyway.
 */
const SHUTDOWN_HARD_LIMIT_MS = 30_000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  let config: RunnerConfig;
  try {
    config = configFromEnv(process.env, argv);
  } catch (err) {
    process.stderr.write(
      `wharf-runner: ${(err as Error).message}\n${JSON.stringify((err as { details?: unknown }).details)}\n`,
    );
    process.exit(2);
  }
  const logger = createLogger({
    service: 'runner',
    level: config.logLevel,
    context: { host: config.hostId },
  });
  const metrics = createMetrics('runner');
  const { tlsDir, tls } = secureMode(config, metrics);
  const zk = new ZkSession({ connectString: config.zkConnectString, chroot: config.zkChroot, tls, logger });
  const home = resolve(config.home);
  const { runtime: dockerRuntime, launcher } = await createLauncher(config, home, logger);
  const runner = new Runner({
    zk,
    logger,
    metrics: createRunnerMetrics(metrics),
    launcher,
    context: { ...config, home, ...secureLaunchContext(tlsDir) },
    version: VERSION,
    pid: process.pid,
    ...(config.token === undefined ? {} : { join: { token: config.token, roles: config.roles } }),
    ...(config.token === undefined && config.roles.length > 0 ? { certifiedRoles: config.roles } : {}),
    ...(config.bootstrapRoles.length === 0 ? {} : { bootstrapRoles: config.bootstrapRoles }),
  });
  const scrapeTokens = new ScrapeTokenVerifier(zk, { logger });
  // Created once the runner is registered; the shutdown closes it first.
  const registered: { service?: EphemeralRegistration } = {};
  const observability = await startObservabilityServer({
    port: config.metricsPort,
    logger,
    handler: createObservabilityHandler({
      registry: metrics.registry,
      authorizeMetrics: (authorization) => scrapeTokens.allows(authorization),
      health: () => ({
        checks: {
          zookeeper: { status: zk.state === 'closed' ? 'failing' : 'ok', detail: zk.state },
          runner: { status: runner.state === 'running' ? 'ok' : 'failing', detail: runner.state },
        },
      }),
      logger,
    }),
  });
  // A repeated signal is left to Node's default action (it kills the process).
  installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_HARD_LIMIT_MS,
    repeatSignal: 'default',
    close: async () => {
      await registered.service?.close();
      await runner.close();
      await dockerRuntime?.close();
      await observability.close();
      await zk.close();
    },
  });
  await zk.start();
  await startOrExitOnRefusal(runner, zk, logger);
  registered.service = await registerService(zk, {
    service: 'runner',
    id: config.hostId,
    zone: config.zone,
    version: VERSION,
    address: observability.address,
    started: new Date(),
  });
  logger.info('runner started', { host: config.hostId, metrics: observability.url });
}

/**
 * Starts the runner; a refused roles token or bootstrap closes the session and exits with
 * {@link EXIT_TOKEN_REFUSED}, any other failure is thrown.
 */
async function startOrExitOnRefusal(runner: Runner, zk: ZkSession, logger: Logger): Promise<void> {
  try {
    await runner.start();
  } catch (err) {
    if (
      isWharfError(err, 'WHARF_UNAUTHORIZED') ||
      isWharfError(err, 'WHARF_FORBIDDEN') ||
      isWharfError(err, 'WHARF_CONFLICT')
    ) {
      logger.error(isWharfError(err, 'WHARF_CONFLICT') ? 'bootstrap refused' : 'roles token refused', {
        err,
      });
      process.stderr.write(`wharf-runner: ${err.message}\n`);
      await zk.close();
      process.exit(EXIT_TOKEN_REFUSED);
    }
    throw err;
  }
}

/**
 * The launcher of the configured mode, with the Docker runtime it owns in Docker mode. The
 * services it launches find the installation's platform secret in their home first: the api and
 * constructor of every host derive the same etcd credentials from it (docs/security.md).
 */
async function createLauncher(
  config: RunnerConfig,
  home: string,
  logger: Logger,
): Promise<{ runtime: DockerRuntime | undefined; launcher: ServiceLauncher }> {
  await sharePlatformSecret(home, hostHome(home, config.hostId)).catch((err: unknown) => {
    // A runner that is itself a container sees only its host home: the installation's home above
    // it is not its to write. Only an api or constructor needs the secret (allocator hosts never
    // do); one started here creates its own, which docs/security.md says to replace by a copy.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err;
    logger.warn('cannot share the platform secret into the host home', { home, err });
  });
  if (config.mode === 'docker') {
    giveToContainers(join(hostHome(home, config.hostId), 'credentials'));
    return dockerLauncher(config, home, logger);
  }
  // dist/main.js → services/runner → services/
  const launcher = new ProcessLauncher({
    servicesDir: resolve(__dirname, '..', '..'),
    baseEnv: inheritedEnv(process.env),
  });
  return { runtime: undefined, launcher };
}

/**
 * A root runner made `dir` (the platform secret's, 0700) before any container ran; the api in a
 * container runs as the images' user and writes its own key there: hand the directory and its
 * files over. A runner that is not root made them as the user its containers already run as.
 */
function giveToContainers(dir: string): void {
  if (process.getuid?.() !== 0 || !existsSync(dir)) return;
  const id = DEFAULT_CONTAINER_UID;
  for (const path of [dir, ...readdirSync(dir).map((name) => join(dir, name))]) chownSync(path, id, id);
}

/**
 * Docker mode: one `DockerRuntime` scoped `wharf.runner=<host>` whose mount path is the host home
 * itself (WHARF_HOME has the same path inside and outside: the allocator passes host paths of
 * instance data dirs to the engine). Running as root, the runtime chowns that home to the images'
 * user (uid 10001) and containers run as 10001; the allocator additionally gets the engine socket
 * (same path) and the socket's group, so it can drive Docker without running as root.
 */
async function dockerLauncher(
  config: RunnerConfig,
  home: string,
  logger: Logger,
): Promise<{ runtime: DockerRuntime; launcher: DockerLauncher }> {
  const hostHomeDir = hostHome(home, config.hostId);
  // The containers run as uid 10001 (the images' user; the runtime chowns the host home to it)
  // and must traverse <home> and <home>/hosts to reach it: add search permission (o+x) only.
  // A runner that is itself a container (uid 10001) sees only its host home mounted; the
  // directories above it then belong to root and already allow search: leave them alone.
  for (const dir of [home, resolve(hostHomeDir, '..')]) {
    mkdirSync(dir, { recursive: true });
    const mode = statSync(dir).mode;
    if ((mode & 0o001) !== 0) continue;
    try {
      chmodSync(dir, mode | 0o001);
    } catch (err) {
      logger.warn('cannot let containers traverse the home directory', { dir, err });
    }
  }
  const runtime = new DockerRuntime({
    scope: { [RUNNER_SCOPE_LABEL]: config.hostId },
    mountPath: hostHomeDir,
    logger: logger.child({ component: 'docker-runtime' }),
  });
  await runtime.open();
  const socketPath = dockerSocketPath(process.env.DOCKER_HOST);
  let dockerSocket: { path: string; gid: number } | undefined;
  try {
    dockerSocket = { path: socketPath, gid: statSync(socketPath).gid };
  } catch (err) {
    logger.warn('docker socket not found; allocators will not reach the engine', { socketPath, err });
  }
  const passthrough = Object.fromEntries(
    Object.entries(inheritedEnv(process.env)).filter(
      (e): e is [string, string] =>
        e[0].startsWith('WHARF_') && !e[0].startsWith('WHARF_RUNNER_') && e[1] !== undefined,
    ),
  );
  const launcher = new DockerLauncher({
    runtime,
    version: VERSION,
    hostId: config.hostId,
    hostAddress: config.address,
    hostHome: hostHomeDir,
    baseEnv: passthrough,
    // Services' output is followed by the runtime and appended to their log files.
    logs: runtimeLogSource(runtime),
    ...(dockerSocket === undefined ? {} : { dockerSocket }),
    logger: logger.child({ component: 'docker-launcher' }),
  });
  return { runtime, launcher };
}

/**
 * Secure mode (mutual TLS, ACLs by role): WHARF_TLS_DIR gives the runner `<dir>/runner` and each
 * service its own directory, and every certificate there is reported in
 * `wharf_certificate_expiry_seconds`; else WHARF_ZK_TLS_CA/_CERT/_KEY when set (one certificate).
 */
function secureMode(
  config: RunnerConfig,
  metrics: Metrics,
): { tlsDir: string | undefined; tls: ZkTlsOptions | undefined } {
  if (config.tlsDir === undefined) return { tlsDir: undefined, tls: zkTlsFromEnv(process.env) };
  const tlsDir = resolve(config.tlsDir);
  certificateExpiryGauge(metrics, () => certificateExpiries(tlsDir, certificateDirs(tlsDir)));
  return { tlsDir, tls: zkTlsFromEnv(serviceTlsEnv(tlsDir, 'runner')) };
}

/** The service directories enrolment wrote under `tlsDir`. */
function certificateDirs(tlsDir: string): string[] {
  try {
    return readdirSync(tlsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function dockerSocketPath(dockerHost: string | undefined): string {
  if (dockerHost?.startsWith('unix://')) return dockerHost.slice('unix://'.length);
  return DEFAULT_DOCKER_SOCKET;
}

runMain('wharf-runner', main);
