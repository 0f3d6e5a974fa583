#!/usr/bin/env node
/**
 * `wharf-allocator`: the only place that reads `process.env`, wires the dependencies, handles
 * signals and calls `process.exit`. See `--help` and docs/coordination.md for the variables.
 */
import { cpus, hostname, totalmem } from 'node:os';
import {
  createLogger,
  createMetrics,
  createObservabilityHandler,
  isLogLevel,
  startObservabilityServer,
} from '@wharf/observability';
import { ProcessRuntime } from '@wharf/runtime';
import { ZkSession } from '@wharf/zk';
import { type Allocator, createAllocator } from './allocator';
import { HELP, settingsFromEnv } from './env-options';
import { stackCatalog } from './stack-port';

/** Bytes in a MiB. */
const MIB = 1024 * 1024;
/** Longest a graceful exit may take before the process gives up (stop timeouts fit inside). */
const EXIT_DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const settings = settingsFromEnv(process.env, {
    hostname: hostname(),
    pid: process.pid,
    totalMemoryMb: Math.floor(totalmem() / MIB),
    cpus: cpus().length,
    cwd: process.cwd(),
  });
  const level = isLogLevel(settings.logLevel) ? settings.logLevel : 'info';
  const logger = createLogger({ service: 'allocator', level, context: { id: settings.allocator.id } });
  const metrics = createMetrics('allocator');
  const zk = new ZkSession({ connectString: settings.zkConnect, chroot: settings.zkChroot, logger });
  const runtime = new ProcessRuntime({
    rootDir: settings.runtimeStateDir,
    logger: logger.child({ component: 'runtime' }),
  });
  // The health handler is needed before the allocator exists (its port goes into the registration).
  const current: { allocator?: Allocator } = {};
  const server = await startObservabilityServer({
    port: settings.metricsPort,
    logger,
    handler: createObservabilityHandler({
      registry: metrics.registry,
      health: () =>
        current.allocator?.health() ?? { checks: { allocator: { status: 'failing', detail: 'starting' } } },
      logger,
    }),
  });
  await zk.start();
  const allocator = createAllocator({
    zk,
    runtime,
    stacks: stackCatalog(),
    logger,
    metrics,
    config: { ...settings.allocator, metricsPort: server.address.port },
  });
  current.allocator = allocator;
  await allocator.start();
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
    void (async () => {
      await allocator.shutdown({ stopInstances: settings.stopInstancesOnExit });
      await runtime.close();
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

main().catch((err: unknown) => {
  process.stderr.write(
    `wharf-allocator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
