/** Default overall timeout of {@link waitFor}: comfortably above ZooKeeper session timeouts used in tests. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

/** Default poll period of {@link waitFor}. */
export const DEFAULT_WAIT_INTERVAL_MS = 25;

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Included in the timeout error, e.g. `'leader elected'`. */
  message?: string;
}

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or throws after
 * `timeoutMs`. A predicate that throws counts as "not yet"; the last error is reported.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.message ?? 'condition';
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
