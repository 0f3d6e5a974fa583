/** Health probes of the platform's processes: HTTP `GET` → 200, and ZooKeeper's `ruok`. */
import { probeZooKeeper } from '@wharf/zk';

/** Per-probe timeout: a healthy local endpoint answers in milliseconds; a stalled one must not hold up the loop. */
export const PROBE_TIMEOUT_MS = 2000;

/** Result of one probe. */
export interface ProbeResult {
  readonly ok: boolean;
  /** `200`, `503`, `ECONNREFUSED`, `timeout`, `imok`… */
  readonly detail: string;
}

/** GETs `url`; healthy on HTTP 200. */
export async function probeHttp(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { ok: res.status === 200, detail: String(res.status) };
  } catch (err) {
    return { ok: false, detail: describeFetchError(err) };
  }
}

/** `ruok` → `imok` on the first server of `connectString`. */
export async function probeZk(connectString: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const ok = await probeZooKeeper(connectString, timeoutMs);
  return { ok, detail: ok ? 'imok' : 'no answer' };
}

/** A short reason for a failed `fetch` (`ECONNREFUSED`, `timeout`, …). */
export function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string')
      return cause.code;
    return err.message;
  }
  return String(err);
}
