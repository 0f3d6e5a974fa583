/** Time, sleeping and randomness, injected so recipes can be driven deterministically in tests. */
export interface ZkClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1): the source of jitter. */
  random(): number;
}

/** The real clock: `Date.now`, `setTimeout`, `Math.random`. */
export const SYSTEM_CLOCK: ZkClock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
});
