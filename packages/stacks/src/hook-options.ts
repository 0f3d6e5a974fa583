/** Defaults of cluster hooks and probes, filled once per call. */
import { NOOP_LOGGER, SYSTEM_CLOCK, type RuntimeClock, type RuntimeLogger } from '@wharf/runtime';
import { type HookOptions } from './types';

/**
 * Default time budget of a cluster hook: etcd refuses `member add` until its members have been
 * connected for ~5 s and while an added member is still starting, so allow several such waits.
 */
export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;
/** Default health-probe timeout: a healthy local instance answers in milliseconds. */
export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

/** {@link HookOptions} with defaults filled and the deadline computed. */
export interface CompiledHookOptions {
  logger: RuntimeLogger;
  clock: RuntimeClock;
  deadline: number;
}

/** Fills defaults of `options` and fixes the deadline from now. */
export function compileHookOptions(options: HookOptions = {}): CompiledHookOptions {
  const clock = options.clock ?? SYSTEM_CLOCK;
  return {
    logger: options.logger ?? NOOP_LOGGER,
    clock,
    deadline: clock.now() + (options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS),
  };
}
