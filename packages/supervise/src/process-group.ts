/**
 * Signals and stops. Every supervised process is spawned detached, so it leads its own process
 * group and `kill(-pid)` reaches whatever it started itself.
 */
import { type Clock, systemClock } from './clock';
import { type ProcessIdentity, groupMembers, isProcessAlive, isSameProcess } from './process-identity';

/** How often stop loops look at a process again: fine enough that a stop is not sluggish. */
export const POLL_INTERVAL_MS = 50;
/**
 * Grace for processes left in a group after its leader exited (children a service forgot to stop):
 * they got no signal of their own yet, so they get one short chance before SIGKILL.
 */
export const LEFTOVER_GRACE_MS = 2000;

/** How a stop went. */
export type StopOutcome = 'not-running' | 'terminated' | 'killed';

/**
 * Sends `signal` to `pid`, or with `group` to the group it leads; a process that leads no group
 * (the embedded ZooKeeper's JVM shares its parent's) gets the signal itself. False when nothing
 * was signalled.
 */
export function sendSignal(pid: number, signal: NodeJS.Signals, group = false): boolean {
  if (group) {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      // No such group: fall through to the process.
    }
  }
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Polls `done` until it is true or `timeoutMs` passed; returns its last value. */
export async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  clock: Pick<Clock, 'now' | 'sleep'> = systemClock,
): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(Math.min(POLL_INTERVAL_MS, Math.max(1, deadline - clock.now())));
  }
}

/** Options of {@link stopProcessGroup}. */
export interface StopOptions {
  /** Time between SIGTERM to the leader and SIGKILL to the group. */
  readonly graceMs: number;
  /** When the leader was recorded earlier: it is signalled only while it is still that process. */
  readonly identity?: ProcessIdentity;
  /** Extra guard for a recorded pid without a start time: a substring of its command line. */
  readonly commandMatch?: string;
  /** True once the caller saw the leader exit (its own child's `exit` event). */
  readonly exited?: () => boolean;
  readonly clock?: Pick<Clock, 'now' | 'sleep'>;
}

/**
 * Stops the process group led by `pid`: SIGTERM to the leader (so it stops its own children in
 * order), up to `graceMs` for it to exit, then SIGKILL to the group; leftovers in the group of a
 * leader that exited in time get SIGTERM, {@link LEFTOVER_GRACE_MS}, then SIGKILL. A recorded
 * identity that no longer matches (the pid was reused) is left alone: `not-running`.
 */
export async function stopProcessGroup(pid: number, options: StopOptions): Promise<StopOutcome> {
  const clock = options.clock ?? systemClock;
  // A group id is free for reuse once its members are gone, so a mismatch means nothing is ours.
  if (options.identity && !isSameProcess(options.identity, options.commandMatch)) return 'not-running';
  const leaderGone = () => options.exited?.() === true || !isProcessAlive(pid);
  const groupAlive = () => groupMembers(pid).length > 0;
  if (leaderGone()) {
    // The leader's pid may already be someone else's; its group id is not while members remain.
    return groupAlive() ? killLeftovers(pid, clock) : 'not-running';
  }
  let outcome: StopOutcome = 'terminated';
  sendSignal(pid, 'SIGTERM');
  if (!(await waitUntil(leaderGone, options.graceMs, clock))) {
    outcome = 'killed';
    sendSignal(pid, 'SIGKILL', true);
  } else if (groupAlive() && (await killLeftovers(pid, clock)) === 'killed') {
    outcome = 'killed';
  }
  await waitUntil(() => leaderGone() && !groupAlive(), LEFTOVER_GRACE_MS, clock);
  return outcome;
}

async function killLeftovers(pgid: number, clock: Pick<Clock, 'now' | 'sleep'>): Promise<StopOutcome> {
  const groupAlive = () => groupMembers(pgid).length > 0;
  sendSignal(pgid, 'SIGTERM', true);
  if (await waitUntil(() => !groupAlive(), LEFTOVER_GRACE_MS, clock)) return 'terminated';
  sendSignal(pgid, 'SIGKILL', true);
  await waitUntil(() => !groupAlive(), LEFTOVER_GRACE_MS, clock);
  return 'killed';
}
