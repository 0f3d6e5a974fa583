/**
 * Process identity from Linux `/proc`. A pid alone is not an identity (pids are reused), so a
 * process is recorded as (boot id, pid, start time in clock ticks since boot) and later only
 * signalled when all three still match.
 */
import { readFile, readdir } from 'node:fs/promises';

/** Who a process is, as recorded at spawn. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of `/proc/<pid>/stat`: start time in clock ticks after boot. */
  startTicks: string;
  /** `/proc/sys/kernel/random/boot_id`: start times restart at every boot. */
  bootId: string;
}

/** The fields of `/proc/<pid>/stat` the runtime uses. */
export interface ProcStat {
  /** One-letter state; `Z` is a zombie (dead, not yet reaped). */
  state: string;
  pgrp: number;
  startTicks: string;
}

/** Parses one `/proc/<pid>/stat` line; the command name may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | null {
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const fields = line
    .slice(close + 2)
    .trim()
    .split(' ');
  const state = fields[0];
  const pgrp = Number(fields[5 - 3]);
  const startTicks = fields[22 - 3];
  if (state === undefined || startTicks === undefined || !Number.isInteger(pgrp)) return null;
  return { state, pgrp, startTicks };
}

/** `/proc/<pid>/stat` of a live process, or null when there is none. */
export async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

let bootIdCache: Promise<string> | undefined;

/** The kernel's boot id (read once per process). */
export function readBootId(): Promise<string> {
  bootIdCache ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim());
  return bootIdCache;
}

/** The identity of `pid` now, or null when it is gone or a zombie. */
export async function identityOf(pid: number): Promise<ProcessIdentity | null> {
  const stat = await readProcStat(pid);
  if (stat === null || stat.state === 'Z') return null;
  return { pid, startTicks: stat.startTicks, bootId: await readBootId() };
}

/** True when the process recorded as `identity` is still alive (and is the same process). */
export async function isSameProcess(identity: ProcessIdentity): Promise<boolean> {
  const now = await identityOf(identity.pid);
  return now !== null && now.startTicks === identity.startTicks && now.bootId === identity.bootId;
}

/**
 * Live (non-zombie) members of process group `pgid`. While any member lives the kernel does not
 * hand the number out again, so a non-empty group whose leader is gone is still the one we made.
 */
export async function groupMembers(pgid: number): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const members: number[] = [];
  await Promise.all(
    entries
      .filter((name) => /^[0-9]+$/.test(name))
      .map(async (name) => {
        const stat = await readProcStat(Number(name));
        if (stat !== null && stat.pgrp === pgid && stat.state !== 'Z') members.push(Number(name));
      }),
  );
  return members.sort((a, b) => a - b);
}

/** Sends `signal` to every process of group `pgid`; false when the group is already empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
