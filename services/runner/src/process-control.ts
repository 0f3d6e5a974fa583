/**
 * Signals and liveness of supervised processes. Every service is spawned detached, so it leads its
 * own process group and `kill(-pid)` reaches whatever it started itself. Liveness reads `/proc`
 * where it exists, so a zombie (a dead child nobody reaped yet) does not count as running.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** How often stop loops look at a process again: fine enough that a role change is prompt. */
export const POLL_INTERVAL_MS = 50;

/** True while `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (not Linux): kill(pid, 0) succeeded, so it runs.
    return true;
  }
}

/**
 * Sends `signal` to the process group `pid` leads. Never to `pid` alone: once the leader is gone
 * its pid may belong to an unrelated process, while a group id is not reused while members remain.
 * False when there was no such group.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Polls `done` until it is true or `timeoutMs` passed; returns its last value. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(POLL_INTERVAL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** The command line of `pid` (arguments joined by spaces), or undefined when unreadable. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}
