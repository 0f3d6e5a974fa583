/**
 * Spawning one container's process: its own process group (so a stop reaches every descendant),
 * stdout and stderr appended to the container's log file, an environment holding only what the
 * spec gives plus `PATH` (the parent's environment may hold secrets), and never a shell.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { runtimeError } from './errors';
import { rotateIfLarge } from './log-file';
import { readBootId, readProcStat, type ProcessIdentity } from './proc';
import { type ContainerSpec } from './types';

/** How a process ended, as Node reports it. */
export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
}

/** A freshly spawned container process. */
export interface LaunchedProcess {
  child: ChildProcess;
  identity: ProcessIdentity;
  /** Settles when the process has exited and been reaped. */
  exit: Promise<ProcessExit>;
}

/** The environment of an instance: the spec's variables, plus `PATH` unless the spec sets it. */
export function instanceEnv(spec: ContainerSpec, defaultPath: string): Record<string, string> {
  return { PATH: defaultPath, ...spec.env };
}

/** Spawns `spec.argv` detached in a new process group, logging to `logPath`. */
export async function launchProcess(
  spec: ContainerSpec,
  logPath: string,
  defaultPath: string,
): Promise<LaunchedProcess> {
  const [program, ...args] = spec.argv;
  if (program === undefined) throw runtimeError('argv is empty', { field: 'argv' });
  await mkdir(spec.dataDir, { recursive: true, mode: 0o700 });
  await rotateIfLarge(logPath);
  const log = await open(logPath, 'a', 0o600);
  let child: ChildProcess;
  let exit: Promise<ProcessExit>;
  let spawned: Promise<void>;
  try {
    child = spawn(program, args, {
      cwd: spec.workDir ?? spec.dataDir,
      env: instanceEnv(spec, defaultPath),
      detached: true,
      shell: false,
      stdio: ['ignore', log.fd, log.fd],
    });
    // Listen before any await: 'spawn', 'error' and an instant 'exit' fire on the next ticks.
    exit = new Promise<ProcessExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ exitCode: code, signal })),
    );
    spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(runtimeError('could not start the process', { program, code: err.code }, err)),
      );
    });
    // Handled here too, so a rejection during the `close()` below is not reported as unhandled.
    spawned.catch(() => undefined);
  } finally {
    // The child holds its own copy of the descriptor; the parent must not keep one per start.
    await log.close();
  }
  await spawned;
  const pid = child.pid;
  if (pid === undefined) throw runtimeError('spawned process has no pid', { program });
  // A process that already exited is a zombie until reaped: its stat line still names it.
  const stat = await readProcStat(pid);
  const identity: ProcessIdentity = { pid, startTicks: stat?.startTicks ?? '0', bootId: await readBootId() };
  return { child, identity, exit };
}
