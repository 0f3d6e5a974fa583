#!/usr/bin/env node
/**
 * The `wharf` executable: the only module that reads `process` (argv, env, signals, IPC) and
 * calls `process.exit`.
 */
import { totalmem } from 'node:os';
import { type CliContext, type ParentChannel } from './context';
import { run } from './run';

/** Signals that mean "stop": Ctrl-C, a service manager's stop, a closed terminal. */
const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const parent: ParentChannel | undefined = process.send
  ? {
      get connected() {
        return process.connected;
      },
      // With a callback a send to a parent that just went away (EPIPE) is reported to it instead of
      // being emitted as an 'error' on `process`, which would crash the supervisor before its
      // 'disconnect' handler stops the platform.
      send: (message) => process.send?.(message, undefined, {}, () => undefined),
      onDisconnect: (listener) => process.once('disconnect', listener),
    }
  : undefined;

const ctx: CliContext = {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  execPath: process.execPath,
  cliPath: __filename,
  totalMemoryBytes: totalmem(),
  onShutdownSignal: (listener) => {
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, listener);
    return () => SHUTDOWN_SIGNALS.forEach((signal) => process.off(signal, listener));
  },
  ...(parent ? { parent } : {}),
};

run(process.argv.slice(2), ctx).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
