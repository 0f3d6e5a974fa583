/**
 * Which process a pid is. A pid alone is not an identity: once a process is gone the kernel hands
 * its pid to the next one. A pid plus its start time (field 22 of `/proc/<pid>/stat`, in clock
 * ticks since boot) is, so a recorded process is never confused with whatever got its pid later.
 * Liveness reads `/proc` too, so a zombie (a dead child nobody reaped yet) does not count as running.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** A process as recorded: its pid and, where `/proc` exists, when it started. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Clock ticks after boot at which it started; undefined without `/proc` (not Linux). */
  readonly startTime?: number;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTime: number;
}

/** Fields of `/proc/<pid>/stat`: undefined when the process is gone, null when there is no `/proc`. */
function readStat(pid: number): ProcStat | undefined | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return procAvailable() ? undefined : null;
  }
  // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so cut at the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After comm, `state` is field 3 of the man page, `pgrp` 5 and `starttime` 22.
  return { state: fields[0] ?? '?', pgrp: Number(fields[2]), startTime: Number(fields[19]) };
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

const running = (stat: ProcStat): boolean => stat.state !== 'Z' && stat.state !== 'X';

/** True while `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  if (stat === null) return true; // no /proc: kill(pid, 0) succeeded, so it runs
  return stat !== undefined && running(stat);
}

/** The identity of the running process `pid`, or undefined when it is not running. */
export function identify(pid: number): ProcessIdentity | undefined {
  if (!isProcessAlive(pid)) return undefined;
  const stat = readStat(pid);
  return stat ? { pid, startTime: stat.startTime } : { pid };
}

/**
 * True while the process `identity` recorded still runs: same pid and, where both are known, the
 * same start time. Without a recorded start time, `commandMatch` (a substring of its command line)
 * guards against a reused pid instead.
 */
export function isSameProcess(identity: ProcessIdentity, commandMatch?: string): boolean {
  const now = identify(identity.pid);
  if (now === undefined) return false;
  if (identity.startTime !== undefined && now.startTime !== undefined) {
    if (identity.startTime !== now.startTime) return false;
  }
  if (commandMatch === undefined) return true;
  const command = commandLineOf(identity.pid);
  return command === undefined || command.includes(commandMatch);
}

/** The command line of `pid` (arguments joined by spaces), or undefined where it cannot be read. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
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
    if (stat && stat.pgrp === pgid && running(stat)) members.push(Number(name));
  }
  return members;
}
