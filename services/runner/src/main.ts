#!/usr/bin/env node
/**
 * `wharf-runner`: the process entry point. The only place that reads `process.env`, wires the
 * dependencies together, handles signals and calls `process.exit`.
 */
import { resolve } from 'node:path';
import { isWharfError } from '@wharf/model';
import {
  createLogger,
  createMetrics,
  createObservabilityHandler,
  startObservabilityServer,
  type Logger,
  type ObservabilityServer,
} from '@wharf/observability';
import { ZkSession } from '@wharf/zk';
import { helpText, inheritedEnv, parseRunnerConfig, type RunnerConfig } from './config';
import { createRunnerMetrics } from './metrics';
import { ProcessLauncher } from './process-launcher';
import { Runner } from './runner';

/** Version written in the host registration. */
const VERSION = '0.1.0';
/** Exit code when the roles token is refused (the CLI tells it apart from other failures). */
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
    config = parseRunnerConfig(process.env, argv);
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
  const zk = new ZkSession({ connectString: config.zkConnectString, chroot: config.zkChroot, logger });
  const metrics = createMetrics('runner');
  const runner = new Runner({
    zk,
    logger,
    metrics: createRunnerMetrics(metrics),
    // dist/main.js → services/runner → services/
    launcher: new ProcessLauncher({
      servicesDir: resolve(__dirname, '..', '..'),
      baseEnv: inheritedEnv(process.env),
    }),
    context: { ...config, home: resolve(config.home) },
    version: VERSION,
    pid: process.pid,
    ...(config.token === undefined ? {} : { join: { token: config.token, roles: config.roles } }),
  });
  const observability = await startObservabilityServer({
    port: config.metricsPort,
    logger,
    handler: createObservabilityHandler({
      registry: metrics.registry,
      health: () => ({
        checks: {
          zookeeper: { status: zk.state === 'closed' ? 'failing' : 'ok', detail: zk.state },
          runner: { status: runner.state === 'running' ? 'ok' : 'failing', detail: runner.state },
        },
      }),
      logger,
    }),
  });
  installSignalHandlers(runner, zk, observability, logger);
  await zk.start();
  try {
    await runner.start();
  } catch (err) {
    if (isWharfError(err, 'WHARF_UNAUTHORIZED') || isWharfError(err, 'WHARF_FORBIDDEN')) {
      logger.error('roles token refused', { err });
      process.stderr.write(`wharf-runner: ${err.message}\n`);
      await zk.close();
      process.exit(EXIT_TOKEN_REFUSED);
    }
    throw err;
  }
  logger.info('runner started', { host: config.hostId, metrics: observability.url });
}

function installSignalHandlers(
  runner: Runner,
  zk: ZkSession,
  observability: ObservabilityServer,
  logger: Logger,
): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_HARD_LIMIT_MS).unref();
    runner
      .close()
      .then(() => observability.close())
      .then(() => zk.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('shutdown failed', { err });
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`wharf-runner: failed to start: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
