/** Injected time, so caches and timestamps are testable. */
import { type Clock as SharedClock } from '@wharf/supervise';

/** Milliseconds since the epoch: the part of the shared clock the api needs. */
export type Clock = Pick<SharedClock, 'now'>;

/** The real clock. */
export const SYSTEM_CLOCK: Clock = Object.freeze({ now: () => Date.now() });
