/**
 * Wakes waiters when the observed state may have changed (a cache fired `changed`). Waiters
 * re-evaluate their condition on each wake and after a bounded sleep, so a missed event only
 * costs latency, never progress.
 */
import { type ConstructorClock } from '../clock';

/** A broadcast "something changed" signal. */
export class ChangeSignal {
  private waiters = new Set<() => void>();

  constructor(private readonly clock: ConstructorClock) {}

  /** Wakes every current waiter. */
  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next {@link notify}, after `maxMs`, or when `signal` aborts. */
  async wait(maxMs: number, signal?: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const wake = () => stop.abort();
    this.waiters.add(wake);
    try {
      await this.clock.sleep(maxMs, stop.signal);
    } finally {
      this.waiters.delete(wake);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
