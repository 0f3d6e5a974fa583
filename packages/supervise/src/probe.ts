/** HTTP health probes: `GET` → 200 is healthy. */
import { type Clock, systemClock } from './clock';

/** Per-probe timeout: a healthy local endpoint answers in milliseconds; a stalled one must not hold up a loop. */
export const PROBE_TIMEOUT_MS = 2000;
/** Pause between probes while waiting: quick enough that a start returns promptly. */
export const HEALTH_POLL_MS = 250;

/** Result of one probe. */
export interface ProbeResult {
  readonly ok: boolean;
  /** `200`, `503`, `ECONNREFUSED`, `timeout`… */
  readonly detail: string;
}

/** GETs `url`; healthy on HTTP 200. Never throws. */
export async function probeHttp(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { ok: res.status === 200, detail: String(res.status) };
  } catch (err) {
    return { ok: false, detail: describeFetchError(err) };
  }
}

/** A short reason for a failed `fetch` (`ECONNREFUSED`, `timeout`, …). */
export function describeFetchError(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (jest's sandbox), failing `instanceof Error`.
  if (typeof err !== 'object' || err === null) return String(err);
  const { name, message, cause } = err as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return typeof message === 'string' ? message : String(err);
}

/** Options of {@link waitHealthy}. */
export interface WaitHealthyOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly clock?: Pick<Clock, 'now' | 'sleep'>;
  /** Stops waiting early. */
  readonly signal?: AbortSignal;
}

/** Probes until one probe is healthy or the time is up; returns the last result. */
export async function waitHealthy(
  probe: string | (() => Promise<ProbeResult>),
  options: WaitHealthyOptions,
): Promise<ProbeResult> {
  const clock = options.clock ?? systemClock;
  const run = typeof probe === 'string' ? () => probeHttp(probe) : probe;
  const deadline = clock.now() + options.timeoutMs;
  for (;;) {
    const result = await run();
    if (result.ok || clock.now() >= deadline || options.signal?.aborted) return result;
    await clock.sleep(options.intervalMs ?? HEALTH_POLL_MS, options.signal);
  }
}
