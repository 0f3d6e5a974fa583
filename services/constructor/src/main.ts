#!/usr/bin/env node
/**
 * `wharf-constructor`: reads the environment, wires the ZooKeeper session, logger, metrics and
 * stack packs, and runs a constructor until SIGTERM/SIGINT. The only module that reads
 * `process.env` or calls `process.exit`.
 */
import { hostname } from 'node:os';
import { createLogger, createMetrics, type Logger } from '@wharf/observability';
import { ZkSession } from '@wharf/zk';
import { configFromEnv, helpText } from './config';
import { createConstructor } from './constructor';
import { resolveStacks } from './stacks-adapter';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  const config = configFromEnv(process.env, { hostname: hostname(), pid: process.pid });
  const logger = createLogger({ service: 'constructor', level: config.logLevel, context: { id: config.id } });
  const zk = new ZkSession({ connectString: config.zkConnectString, chroot: config.zkChroot, logger });
  const constructor = createConstructor({
    zk,
    id: config.id,
    stacks: resolveStacks(logger),
    logger,
    metrics: createMetrics('constructor'),
    metricsPort: config.metricsPort,
  });
  // Handlers before any I/O: a signal during start-up still shuts down cleanly (close waits for start).
  handleSignals(logger, async () => {
    await constructor.close();
    await zk.close();
  });
  await zk.start();
  await constructor.start();
  logger.info('constructor running', { metrics: constructor.metricsUrl, zk: config.zkConnectString });
}

function handleSignals(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal; exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting', { timeoutMs: SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    shutdown()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `wharf-constructor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  const details = (err as { details?: unknown }).details;
  if (details !== undefined) process.stderr.write(`${JSON.stringify(details)}\n`);
  process.exit(1);
});
