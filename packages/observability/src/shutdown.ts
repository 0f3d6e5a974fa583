/**
 * The graceful shutdown every service's `main.ts` installs: on SIGTERM/SIGINT log once, arm a
 * hard-limit timer (a stuck close must not keep a host agent or a scheduler from stopping), run
 * the close chain, then exit 0 — or 1 when the chain fails or the timer fires.
 */
import { type Logger } from './logger';

/** Exit code of a clean shutdown. */
export const EXIT_OK = 0;
/** Exit code of a failed, timed-out or interrupted shutdown. */
export const EXIT_SHUTDOWN_FAILED = 1;

/** The log lines of a shutdown (constant strings; `null`: that line is not written). */
export interface ShutdownMessages {
  /** Info, with `{ signal }`, when the first signal arrives. */
  readonly requested: string;
  /** Error, with `{ timeoutMs }`, when the hard limit passes before the close chain ends. */
  readonly timedOut: string | null;
  /** Error, with `{ err }`, when the close chain rejects. */
  readonly failed: string;
  /** Warn, with `{ signal }`, when a second signal ends the process (`repeatSignal: 'exit'`). */
  readonly secondSignal: string | null;
}

/** Default {@link ShutdownMessages}. */
export const DEFAULT_SHUTDOWN_MESSAGES: ShutdownMessages = {
  requested: 'shutdown requested',
  timedOut: 'shutdown took too long; exiting',
  failed: 'shutdown failed',
  secondSignal: null,
};

/** The slice of `process` the shutdown uses (injected in tests). */
export interface ShutdownProcess {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

/** Options of {@link installShutdown}. */
export interface ShutdownOptions {
  readonly logger: Logger;
  /** After the first signal, exit 1 after this long whatever the close chain is doing. */
  readonly hardLimitMs: number;
  /** Closes the service's parts in order; resolving means a clean stop. */
  readonly close: () => Promise<void>;
  /**
   * What a repeated signal does. `exit` (the default): any second signal exits 1 at once.
   * `default`: each signal is handled once, so repeating the same one gets Node's default action
   * (the process is killed by it) while the other is ignored.
   */
  readonly repeatSignal?: 'exit' | 'default';
  /** Log lines; each missing one is the default's. */
  readonly messages?: Partial<ShutdownMessages>;
  /** Signals that start the shutdown; default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Default: the real `process`. */
  readonly process?: ShutdownProcess;
}

/** Default shutdown signals. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Installs the signal handlers. Returns `shutdown(signal)`, which runs the same sequence without a
 * signal (e.g. for a fatal condition detected by the service itself).
 */
export function installShutdown(options: ShutdownOptions): (signal: string) => void {
  const proc: ShutdownProcess = options.process ?? process;
  const messages = { ...DEFAULT_SHUTDOWN_MESSAGES, ...options.messages };
  const { logger, hardLimitMs } = options;
  const repeatExits = (options.repeatSignal ?? 'exit') === 'exit';
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      if (!repeatExits) return;
      if (messages.secondSignal !== null) logger.warn(messages.secondSignal, { signal });
      proc.exit(EXIT_SHUTDOWN_FAILED);
      return;
    }
    stopping = true;
    logger.info(messages.requested, { signal });
    setTimeout(() => {
      if (messages.timedOut !== null) logger.error(messages.timedOut, { timeoutMs: hardLimitMs });
      proc.exit(EXIT_SHUTDOWN_FAILED);
    }, hardLimitMs).unref();
    let closing: Promise<void>;
    try {
      closing = options.close();
    } catch (err) {
      closing = Promise.reject(err as Error);
    }
    closing.then(
      () => proc.exit(EXIT_OK),
      (err: unknown) => {
        logger.error(messages.failed, { err });
        proc.exit(EXIT_SHUTDOWN_FAILED);
      },
    );
  };
  for (const signal of options.signals ?? SHUTDOWN_SIGNALS) {
    const listener = (): void => shutdown(signal);
    if (repeatExits) proc.on(signal, listener);
    else proc.once(signal, listener);
  }
  return shutdown;
}

/**
 * Runs a service's `main`: anything it throws before the service is up (bad configuration, a
 * port taken, ZooKeeper refusing the session) is printed to stderr as `<program>: failed to
 * start: <stack>`, with a coded error's details on the next line, and the process exits 1 — so
 * a supervisor sees a clear last line instead of an unhandled rejection.
 */
export function runMain(program: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(
      `${program}: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    const details = (err as { details?: unknown } | null)?.details;
    if (details !== undefined) process.stderr.write(`${JSON.stringify(details)}\n`);
    process.exit(1);
  });
}
