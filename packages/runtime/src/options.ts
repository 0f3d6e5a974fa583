/** Options of `ProcessRuntime`, with defaults filled once by {@link compileProcessRuntimeOptions}. */
import { NOOP_LOGGER, SYSTEM_CLOCK, type RuntimeClock, type RuntimeLogger } from './deps';
import { runtimeError } from './errors';
import { isCleanAbsolutePath } from './validate';

/** `PATH` given to instances whose spec sets none: the system directories, never the parent's `PATH`. */
export const DEFAULT_INSTANCE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Grace period between SIGTERM and SIGKILL: Docker's default, ample for etcd to flush and exit. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/**
 * How often adopted processes (not our children, so no exit event) are checked for liveness: a
 * few `/proc` reads each, and half a second is well inside the allocator's health-check period.
 */
export const DEFAULT_WATCH_INTERVAL_MS = 500;

/** What a `ProcessRuntime` needs. */
export interface ProcessRuntimeOptions {
  /** Absolute directory holding the runtime's state and logs (e.g. `$WHARF_HOME/allocators/<a>/runtime`). */
  rootDir: string;
  logger?: RuntimeLogger;
  clock?: RuntimeClock;
  /** `PATH` of instances whose spec has none; default {@link DEFAULT_INSTANCE_PATH}. */
  path?: string;
  /** Default grace period of `stop()`; default {@link DEFAULT_STOP_TIMEOUT_MS}. */
  stopTimeoutMs?: number;
  /** Liveness polling period of adopted processes; default {@link DEFAULT_WATCH_INTERVAL_MS}. */
  watchIntervalMs?: number;
}

/** {@link ProcessRuntimeOptions} with every default filled. */
export type CompiledProcessRuntimeOptions = Readonly<Required<ProcessRuntimeOptions>>;

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw runtimeError(`${field} must be a non-negative number`, { field });
  return value;
}

/** Validates `options` and fills defaults. */
export function compileProcessRuntimeOptions(options: ProcessRuntimeOptions): CompiledProcessRuntimeOptions {
  if (!isCleanAbsolutePath(options.rootDir)) {
    throw runtimeError('rootDir must be a normalised absolute path', { field: 'rootDir' });
  }
  return Object.freeze({
    rootDir: options.rootDir,
    logger: options.logger ?? NOOP_LOGGER,
    clock: options.clock ?? SYSTEM_CLOCK,
    path: options.path ?? DEFAULT_INSTANCE_PATH,
    stopTimeoutMs: nonNegative(options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, 'stopTimeoutMs'),
    watchIntervalMs: Math.max(
      1,
      nonNegative(options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS, 'watchIntervalMs'),
    ),
  });
}
