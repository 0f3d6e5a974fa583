/** Waiting for an instance to become healthy, on an injected clock. */
import { WharfError } from '@wharf/model';
import { NOOP_LOGGER, SYSTEM_CLOCK, type RuntimeClock, type RuntimeLogger } from '@wharf/runtime';
import { DEFAULT_PROBE_TIMEOUT_MS } from './hook-options';
import { type MemberEndpoint, type ProbeResult, type StackPack } from './types';

/** Pause between probes while waiting: a fresh etcd member answers within a few hundred ms. */
export const HEALTH_POLL_MS = 200;

/** Options of {@link waitForHealthy}. */
export interface WaitHealthyOptions {
  /** Give up after this long (`WHARF_TIMEOUT` with the last probe detail). */
  timeoutMs: number;
  settings?: Record<string, unknown>;
  clock?: RuntimeClock;
  logger?: RuntimeLogger;
}

/** Probes `endpoint` through `pack` until healthy; returns the healthy probe result. */
export async function waitForHealthy(
  pack: StackPack,
  endpoint: MemberEndpoint,
  options: WaitHealthyOptions,
): Promise<ProbeResult> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const logger = options.logger ?? NOOP_LOGGER;
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    const remaining = deadline - clock.now();
    const timeoutMs = Math.max(1, Math.min(DEFAULT_PROBE_TIMEOUT_MS, remaining));
    const result = await pack.probe(endpoint, {
      timeoutMs,
      ...(options.settings ? { settings: options.settings } : {}),
    });
    if (result.healthy) return result;
    if (clock.now() + HEALTH_POLL_MS > deadline) {
      throw new WharfError('WHARF_TIMEOUT', 'instance did not become healthy in time', {
        details: { kind: pack.kind, member: endpoint.name, last: result.detail },
      });
    }
    logger.debug('instance not healthy yet', {
      kind: pack.kind,
      member: endpoint.name,
      detail: result.detail,
    });
    await clock.sleep(HEALTH_POLL_MS);
  }
}
