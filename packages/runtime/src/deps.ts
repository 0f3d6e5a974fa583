/** Injected dependencies of the runtime: a narrow logger and a clock that can sleep. */
import { setTimeout as delay } from 'node:timers/promises';

/** The logging surface the runtime needs; `@wharf/observability` loggers fit it. */
export interface RuntimeLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Time and sleeping, injected so loops can be driven in tests. */
export interface RuntimeClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const noop = (): void => undefined;

/** A logger that drops everything: the default when none is injected. */
export const NOOP_LOGGER: RuntimeLogger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** The real clock. */
export const SYSTEM_CLOCK: RuntimeClock = Object.freeze({
  now: () => Date.now(),
  sleep: async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return;
    try {
      await delay(ms, undefined, signal ? { signal } : undefined);
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  },
});
