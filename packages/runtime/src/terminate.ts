/** Stopping a process group: SIGTERM, a grace period, then SIGKILL; resolves once the group is empty. */
import { runtimeError } from './errors';
import { type RuntimeClock } from './deps';
import { groupMembers, signalGroup } from './proc';

/** How often a stopping group is re-checked: short, since stops sit on the critical path of plans. */
export const STOP_POLL_MS = 50;
/** How long to wait for SIGKILLed processes to vanish (only a process stuck in the kernel takes long). */
export const KILL_WAIT_MS = 5_000;

/** How a group went away. */
export type TerminateOutcome = 'gone' | 'terminated' | 'killed';

async function waitEmpty(pgid: number, clock: RuntimeClock, deadline: number): Promise<boolean> {
  for (;;) {
    if ((await groupMembers(pgid)).length === 0) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(STOP_POLL_MS);
  }
}

/**
 * Terminates process group `pgid`: SIGTERM, then SIGKILL once `timeoutMs` has passed (at once
 * when it is 0). Throws `WHARF_RUNTIME_ERROR` if the group survives SIGKILL for `KILL_WAIT_MS`.
 */
export async function terminateGroup(
  pgid: number,
  timeoutMs: number,
  clock: RuntimeClock,
): Promise<TerminateOutcome> {
  if ((await groupMembers(pgid)).length === 0) return 'gone';
  if (timeoutMs > 0) {
    if (!signalGroup(pgid, 'SIGTERM')) return 'gone';
    if (await waitEmpty(pgid, clock, clock.now() + timeoutMs)) return 'terminated';
  }
  if (!signalGroup(pgid, 'SIGKILL')) return 'killed';
  if (await waitEmpty(pgid, clock, clock.now() + KILL_WAIT_MS)) return 'killed';
  throw runtimeError('process group survived SIGKILL', { pgid, members: await groupMembers(pgid) });
}
