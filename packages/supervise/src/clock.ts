/**
 * Time, injected into every loop and supervisor so tests drive it: {@link systemClock} in
 * production, {@link ManualClock} in unit tests.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Wall-clock time, sleeps and cancellable timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms`; the returned function cancels it (a no-op once it fired). */
  schedule(fn: () => void, ms: number): () => void;
}

/** The real clock. Timers keep the process alive, like `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return;
    try {
      await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  },
  schedule: (fn: () => void, ms: number) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
});

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when the test calls {@link ManualClock.advance}; timers fire in due
 * order, sleeps resolve when their time is reached.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = this.schedule(() => resolve(), ms);
      signal?.addEventListener(
        'abort',
        () => {
          cancel();
          resolve();
        },
        { once: true },
      );
    });
  }

  schedule(fn: () => void, ms: number): () => void {
    const timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Delays of the pending timers from now, soonest first. */
  pending(): number[] {
    return this.sorted().map((t) => t.at - this.current);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.sorted()[0];
      if (next === undefined || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  private sorted(): Timer[] {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

/** A {@link ManualClock} for polling loops: each sleep moves time forward at once and is recorded. */
export class SteppingClock extends ManualClock {
  /** Every sleep asked for, in order. */
  readonly slept: number[] = [];

  override sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.advance(ms);
    return Promise.resolve();
  }
}
