/** Injected time: the proxy's loops and caches never call `Date.now()` or `setTimeout` directly. */
import { performance } from 'node:perf_hooks';
import { type Clock as SharedClock } from '@wharf/supervise';

/** A cancellable timer handle. */
export interface TimerHandle {
  /** Cancels the timer; calling it after the timer fired is a no-op. */
  cancel(): void;
}

/**
 * The source of time and timers used by the proxy: the shared clock's `now`, plus a monotonic
 * time and timers that do not keep the process alive (a proxy worker must exit when told).
 */
export interface Clock extends Pick<SharedClock, 'now'> {
  /** A monotonic time in milliseconds with sub-millisecond precision, for measuring durations. */
  monotonic(): number;
  /** Runs `fn` once after `ms` milliseconds; the timer does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
