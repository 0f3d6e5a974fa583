/** Injected dependencies of the runtime: a narrow logger and a clock that can sleep. */
import { type Clock, systemClock } from '@wharf/supervise';

/** The logging surface the runtime needs; `@wharf/observability` loggers fit it. */
export interface RuntimeLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Time and sleeping, injected so loops can be driven in tests: the part of the shared clock the runtime needs. */
export type RuntimeClock = Pick<Clock, 'now' | 'sleep'>;

const noop = (): void => undefined;

/** A logger that drops everything: the default when none is injected. */
export const NOOP_LOGGER: RuntimeLogger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** The real clock. */
export const SYSTEM_CLOCK: RuntimeClock = systemClock;
