#!/usr/bin/env node
/**
 * Entry point of a proxy worker process, forked by the primary (`supervisor.ts`) when
 * `WHARF_PROXY_WORKERS` > 1. It reads no environment: its settings come from the primary.
 * It drains and exits when the primary asks, on SIGTERM/SIGINT, or when the primary is gone.
 */
import { createLogger, installShutdown, type Logger } from '@wharf/observability';
import { runProxyWorker, type ProxyWorker } from './worker';

/** The worker's drain deadline (10 s) plus time to close; the primary's own limit is longer. */
const SHUTDOWN_HARD_LIMIT_MS = 15_000;

function main(): void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    process.stderr.write('wharf-proxy worker: must be started by the proxy (WHARF_PROXY_WORKERS)\n');
    process.exit(2);
  }
  let worker: ProxyWorker | undefined;
  const fallback = createLogger({ service: 'proxy', context: { pid: process.pid } });
  // Before `configure` arrives the worker has no settings (no log level, no id) of its own.
  const logger: Logger = {
    debug: (message, meta) => (worker?.logger ?? fallback).debug(message, meta),
    info: (message, meta) => (worker?.logger ?? fallback).info(message, meta),
    warn: (message, meta) => (worker?.logger ?? fallback).warn(message, meta),
    error: (message, meta) => (worker?.logger ?? fallback).error(message, meta),
    child: (meta) => (worker?.logger ?? fallback).child(meta),
  };
  const shutdown = installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_HARD_LIMIT_MS,
    repeatSignal: 'default',
    close: async () => {
      await worker?.close();
    },
  });
  // The primary died (or closed the channel): nobody supervises this worker any more.
  process.on('disconnect', () => shutdown('disconnect'));
  runProxyWorker({ send, on: (event, listener) => process.on(event, listener) }, () =>
    shutdown('drain'),
  ).then(
    (started) => {
      worker = started;
    },
    (err: unknown) => {
      process.stderr.write(`wharf-proxy worker: failed to start: ${String((err as Error)?.stack ?? err)}\n`);
      process.exit(1);
    },
  );
}

main();
