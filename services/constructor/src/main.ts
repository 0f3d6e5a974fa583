#!/usr/bin/env node
/**
 * `wharf-constructor`: reads the environment, wires the ZooKeeper session, logger, metrics and
 * stack packs, and runs a constructor until SIGTERM/SIGINT. The only module that reads
 * `process.env` or calls `process.exit`.
 */
import { hostname } from 'node:os';
import { WharfError } from '@wharf/model';
import { createLogger, createMetrics, installShutdown, runMain, type Logger } from '@wharf/observability';
import { loadPlatformSecret } from '@wharf/stacks';
import { ZkSession, zkTlsFromEnv } from '@wharf/zk';
import { configFromEnv, helpText, type ConstructorConfig } from './config';
import { createConstructor } from './constructor';
import { WorkerLeaderLatch } from './leader/worker-latch';
import { resolveStacks } from './stacks-adapter';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** The leader election in a worker thread (`leader/worker-latch.ts`), as `createConstructor` calls it. */
function workerElection(
  config: ConstructorConfig,
  logger: Logger,
  onUnexpectedExit: () => void,
): (latchPath: string, id: string) => WorkerLeaderLatch {
  return (latchPath, id) =>
    new WorkerLeaderLatch({
      connectString: config.zkConnectString,
      chroot: config.zkChroot,
      sessionTimeoutMs: config.leaderSessionTimeoutMs,
      latchPath,
      id,
      logLevel: config.logLevel,
      logger: logger.child({ session: 'leader' }),
      onUnexpectedExit,
    });
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  const config = configFromEnv(process.env, { hostname: hostname(), pid: process.pid });
  const logger = createLogger({ service: 'constructor', level: config.logLevel, context: { id: config.id } });
  // Secure mode (mutual TLS, ACLs by role) when WHARF_ZK_TLS_CA/_CERT/_KEY are set.
  const tls = zkTlsFromEnv(process.env);
  const zk = new ZkSession({ connectString: config.zkConnectString, chroot: config.zkChroot, tls, logger });
  // A short session for the leader latch only: a standby takes over seconds after a leader died.
  // In a worker thread by default: the scheduler's busy loop cannot starve it (leader/worker-latch.ts).
  const leaderZk = config.leaderWorker
    ? undefined
    : new ZkSession({
        tls,
        connectString: config.zkConnectString,
        chroot: config.zkChroot,
        sessionTimeoutMs: config.leaderSessionTimeoutMs,
        logger: logger.child({ session: 'leader' }),
      });
  // A constructor whose latch thread died can never lead again: it exits with a failure code.
  let leaderWorkerFailed = false;
  const election = workerElection(config, logger, () => {
    leaderWorkerFailed = true;
    shutdown('leader latch worker exit');
  });
  const constructor = createConstructor({
    zk,
    ...(leaderZk ? { leaderZk } : { election }),
    id: config.id,
    // The platform secret derives each deployment's stack credentials (`@wharf/stacks` credentials.ts).
    stacks: resolveStacks(logger, await loadPlatformSecret(config.home)),
    logger,
    metrics: createMetrics('constructor'),
    metricsPort: config.metricsPort,
    groupCommit: config.groupCommit,
    timing: {
      allocatorLossGraceMs: config.allocatorLossGraceMs,
      allocatorRecoverGraceMs: config.allocatorRecoverGraceMs,
      drainMs: config.drainMs,
    },
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    heartbeatFlushMs: config.heartbeatFlushMs,
    meteringTickMs: config.meteringTickMs,
    meteringRetentionDays: config.meteringRetentionDays,
    notifierTickMs: config.notifierTickMs,
    deadLetterRetentionDays: config.deadLetterRetentionDays,
    unavailableAlertMs: config.unavailableAlertMs,
  });
  // Handlers before any I/O: a signal during start-up still shuts down cleanly (close waits for start).
  const shutdown = installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_TIMEOUT_MS,
    messages: {
      requested: 'shutting down',
      timedOut: 'shutdown timed out; exiting',
      secondSignal: 'second signal; exiting now',
    },
    close: async () => {
      await constructor.close();
      await leaderZk?.close();
      await zk.close();
      if (leaderWorkerFailed)
        throw new WharfError('WHARF_ZK_CLOSED', 'the leader latch worker thread exited');
    },
  });
  await zk.start();
  await leaderZk?.start();
  await constructor.start();
  logger.info('constructor running', { metrics: constructor.metricsUrl, zk: config.zkConnectString });
}

runMain('wharf-constructor', main);
