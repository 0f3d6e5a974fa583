/** Time and sleeping, injected so loops and waits can be driven by tests. */
import { type Clock, systemClock } from '@wharf/supervise';

/** The constructor's clock: the part of the shared clock it needs. */
export type ConstructorClock = Pick<Clock, 'now' | 'sleep'>;

/** The real clock (a sleep ends early, without error, when its signal aborts). */
export const SYSTEM_CLOCK: ConstructorClock = systemClock;
