#!/usr/bin/env node
/**
 * `wharf-allocator`: the only place that reads `process.env`, wires the dependencies, handles
 * signals and calls `process.exit`. See `--help` and docs/coordination.md for the variables.
 */
import { type AddressInfo } from 'node:net';
import { cpus, hostname, totalmem } from 'node:os';
import {
  createLogger,
  createMetrics,
  createObservabilityHandler,
  isLogLevel,
  startObservabilityServer,
  type Logger,
  runMain,
} from '@wharf/observability';
import {
  type ContainerRuntime,
  DockerRuntime,
  ProcessRuntime,
  type RuntimeLogger,
  dockerEngineReady,
} from '@wharf/runtime';
import { ETCD_IMAGE_REPOSITORY, ETCD_VERSIONS } from '@wharf/stacks';
import { ScrapeTokenVerifier, ZkSession, zkTlsFromEnv } from '@wharf/zk';
import { type Allocator, createAllocator } from './allocator';
import { HELP, type MainSettings, parseCommandLine, resolveRuntime, configFromEnv } from './config';
import { createInstanceUsageMetrics, recordInstanceUsage } from './metrics';
import { stackCatalog } from './stack-port';

/** Bytes in a MiB. */
const MIB = 1024 * 1024;
/** Longest a graceful exit may take before the process gives up (stop timeouts fit inside). */
const EXIT_DEADLINE_MS = 30_000;

/**
 * Images `auto` requires before it picks Docker: those of the packs that always run an image
 * (etcd); an http deployment names its own image, or runs a host command under `process`.
 */
const STACK_IMAGES = ETCD_VERSIONS.map((version) => `${ETCD_IMAGE_REPOSITORY}:${version}`);

/** Exit status for a bad command line or environment (as the other services). */
const EXIT_CONFIG = 2;

/** How often container stats are read in Docker mode: a scrape interval, and cheap (one-shot stats). */
const USAGE_INTERVAL_MS = 15_000;

function createRuntime(
  kind: 'process' | 'docker',
  settings: MainSettings,
  logger: RuntimeLogger,
): ContainerRuntime {
  if (kind === 'docker') {
    // Scoped to this allocator: several allocators may share one engine.
    return new DockerRuntime({ logger, scope: { 'wharf.allocator': settings.allocator.id } });
  }
  return new ProcessRuntime({ rootDir: settings.runtimeStateDir, logger });
}

/**
 * The settings from the command line and the environment; `--help` prints the help and a bad
 * setting exits with {@link EXIT_CONFIG}.
 */
function settingsOrExit(argv: readonly string[]): MainSettings {
  try {
    if (parseCommandLine(argv).help) {
      process.stdout.write(HELP);
      process.exit(0);
    }
    return configFromEnv(
      process.env,
      {
        hostname: hostname(),
        pid: process.pid,
        totalMemoryMb: Math.floor(totalmem() / MIB),
        cpus: cpus().length,
        cwd: process.cwd(),
      },
      argv,
    );
  } catch (err) {
    process.stderr.write(`wharf-allocator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT_CONFIG);
  }
}

/** Resolves `auto` (Docker when the engine answers and has the stack images) and creates the runtime. */
async function selectRuntime(
  settings: MainSettings,
  logger: Logger,
): Promise<{ kind: 'process' | 'docker'; runtime: ContainerRuntime }> {
  let reason = `asked for ${settings.runtime}`;
  const kind = resolveRuntime(
    settings.runtime,
    settings.runtime === 'auto' &&
      (await dockerEngineReady(STACK_IMAGES, {
        onReason: (why) => {
          reason = `auto: ${why}`;
        },
      })),
  );
  const runtime = createRuntime(kind, settings, logger.child({ component: 'runtime' }));
  logger.info('runtime selected', { runtime: kind, requested: settings.runtime, reason });
  return { kind, runtime };
}

/** Where the metrics server listens, as the allocator's options advertise it. */
function metricsAddress(address: AddressInfo): { metricsPort: number; metricsHost: string } {
  return { metricsPort: address.port, metricsHost: address.address };
}

/**
 * The main session and a short one for the live node only: a dead host is noticed in seconds
 * (docs/coordination.md). Secure mode (mutual TLS, ACLs by role) when WHARF_ZK_TLS_CA/_CERT/_KEY
 * are set.
 */
function createSessions(settings: MainSettings, logger: Logger): { zk: ZkSession; livenessZk: ZkSession } {
  const tls = zkTlsFromEnv(process.env);
  const zk = new ZkSession({ connectString: settings.zkConnect, chroot: settings.zkChroot, tls, logger });
  const livenessZk = new ZkSession({
    tls,
    connectString: settings.zkConnect,
    chroot: settings.zkChroot,
    sessionTimeoutMs: settings.livenessSessionTimeoutMs,
    logger: logger.child({ session: 'liveness' }),
  });
  return { zk, livenessZk };
}

async function main(): Promise<void> {
  const settings = settingsOrExit(process.argv.slice(2));
  const level = isLogLevel(settings.logLevel) ? settings.logLevel : 'info';
  const logger = createLogger({ service: 'allocator', level, context: { id: settings.allocator.id } });
  const metrics = createMetrics('allocator');
  const { zk, livenessZk } = createSessions(settings, logger);
  const { kind, runtime } = await selectRuntime(settings, logger);
  // The health handler is needed before the allocator exists (its port goes into the registration).
  const current: { allocator?: Allocator } = {};
  const scrapeTokens = new ScrapeTokenVerifier(zk, { logger });
  const server = await startObservabilityServer({
    port: settings.metricsPort,
    logger,
    handler: createObservabilityHandler({
      registry: metrics.registry,
      authorizeMetrics: (authorization) => scrapeTokens.allows(authorization),
      health: () =>
        current.allocator?.health() ?? { checks: { allocator: { status: 'failing', detail: 'starting' } } },
      logger,
    }),
  });
  await zk.start();
  await livenessZk.start();
  const allocator = createAllocator({
    zk,
    livenessZk,
    runtime,
    stacks: stackCatalog(),
    logger,
    metrics,
    // The registration advertises where the metrics really are (Prometheus discovery reads it).
    config: { ...settings.allocator, runtimeKind: kind, ...metricsAddress(server.address) },
  });
  current.allocator = allocator;
  await allocator.start();
  let usageTimer: NodeJS.Timeout | undefined;
  if (runtime instanceof DockerRuntime) {
    const gauges = createInstanceUsageMetrics(metrics);
    usageTimer = setInterval(() => {
      recordInstanceUsage(runtime, settings.allocator.id, gauges).catch((err: unknown) =>
        logger.debug('reading container stats failed', { err }),
      );
    }, USAGE_INTERVAL_MS);
    usageTimer.unref();
  }
  logger.info('allocator ready', {
    metrics: server.url,
    zone: allocator.config.zone,
    range: allocator.config.portRange,
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('allocator stopping', { signal, stopInstances: settings.stopInstancesOnExit });
    setTimeout(() => process.exit(1), EXIT_DEADLINE_MS).unref();
    clearInterval(usageTimer);
    void (async () => {
      await allocator.shutdown({ stopInstances: settings.stopInstancesOnExit });
      await runtime.close();
      await livenessZk.close();
      await zk.close();
      await server.close();
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error('allocator stop failed', { err });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

runMain('wharf-allocator', main);
