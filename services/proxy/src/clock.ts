/** Injected time: the proxy's loops and caches never call `Date.now()` or `setTimeout` directly. */
import { performance } from 'node:perf_hooks';

/** A cancellable timer handle. */
export interface TimerHandle {
  /** Cancels the timer; calling it after the timer fired is a no-op. */
  cancel(): void;
}

/** The source of time and timers used by the proxy. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
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
