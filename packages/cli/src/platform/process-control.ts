/**
 * Signals and liveness for the platform's processes. Every service is spawned detached, so it
 * leads its own process group and `kill(-pid)` reaches whatever it started itself. Liveness reads
 * `/proc` where it exists, so a zombie (a dead child nobody reaped yet) does not count as running.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** How often stop loops look at a process again: fine enough that `down` is not sluggish. */
export const POLL_INTERVAL_MS = 100;

/**
 * Grace for processes left in a group after its leader exited (children a service forgot to stop):
 * they got no signal of their own yet, so they get one short chance before SIGKILL.
 */
export const LEFTOVER_GRACE_MS = 2000;

/** An injectable sleep. */
export type Sleep = (ms: number) => Promise<void>;

/** The default {@link Sleep}. */
export const realSleep: Sleep = (ms) => delay(ms);

interface ProcStat {
  state: string;
  pgrp: number;
}

function readStat(pid: number): ProcStat | undefined | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // null: no /proc at all (not Linux) — the caller falls back to kill(pid, 0).
    return code === 'ENOENT' && !procAvailable() ? null : undefined;
  }
  // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses, so cut at the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', pgrp: Number(fields[2]) };
}

let procChecked: boolean | undefined;
function procAvailable(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procChecked = true;
    } catch {
      procChecked = false;
    }
  }
  return procChecked;
}

/** True while `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  if (stat === null) return true;
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The command line of `pid` joined by spaces, or undefined where it cannot be read. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` runs and — where the command line is readable — contains `match`, so a pid
 * recorded long ago and since reused by an unrelated process is never signalled.
 */
export function isExpectedProcess(pid: number, match: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (match === undefined) return true;
  const command = commandLineOf(pid);
  return command === undefined || command.includes(match);
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  if (!procAvailable()) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(name));
  }
  return members;
}

/**
 * Sends `signal` to `pid`, or to the group it leads; a process that leads no group (the embedded
 * ZooKeeper's JVM shares the supervisor's) gets the signal itself. False when nothing was signalled.
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
export async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  sleep: Sleep = realSleep,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** How a group was stopped. */
export type StopOutcome = 'not-running' | 'terminated' | 'killed';

/**
 * Stops the process group led by `pid`: SIGTERM to the leader (so a service stops its own children
 * in order), up to `graceMs` for it to exit, then SIGKILL to the group; leftovers in the group get
 * SIGTERM, {@link LEFTOVER_GRACE_MS}, then SIGKILL.
 */
export async function stopProcessGroup(
  pid: number,
  graceMs: number,
  sleep: Sleep = realSleep,
): Promise<StopOutcome> {
  const groupAlive = () => groupMembers(pid).length > 0;
  if (!isProcessAlive(pid) && !groupAlive()) return 'not-running';
  let outcome: StopOutcome = 'terminated';
  sendSignal(pid, 'SIGTERM');
  if (!(await waitFor(() => !isProcessAlive(pid), graceMs, sleep))) {
    outcome = 'killed';
    sendSignal(pid, 'SIGKILL', true);
  } else if (groupAlive()) {
    sendSignal(pid, 'SIGTERM', true);
    if (!(await waitFor(() => !groupAlive(), LEFTOVER_GRACE_MS, sleep))) {
      outcome = 'killed';
      sendSignal(pid, 'SIGKILL', true);
    }
  }
  await waitFor(() => !isProcessAlive(pid) && !groupAlive(), LEFTOVER_GRACE_MS, sleep);
  return outcome;
}
