/** Injected time, so caches and timestamps are testable. */

/** Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = Object.freeze({ now: () => Date.now() });
