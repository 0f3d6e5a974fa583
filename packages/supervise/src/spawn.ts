/**
 * Spawning a supervised process: an argv array (never a shell string), detached so it leads its
 * own process group, stdout and stderr appended to a log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ProcessIdentity, identify } from './process-identity';

/** How a process (or whatever a launcher started) ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Set when it could not be started or failed outside its own code. */
  readonly error?: Error;
}

/** What to spawn. */
export interface SpawnSpec {
  /** The executable, looked up on PATH when not absolute. */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Receives stdout and stderr (appended; its directory is created). */
  readonly logFile: string;
}

/** A spawned, detached process. */
export interface DetachedProcess {
  readonly child: ChildProcess;
  /** Pid and start time, read right after the spawn; undefined when the spawn failed at once. */
  readonly identity: ProcessIdentity | undefined;
  /** Resolves once, when it exits or fails to start. */
  readonly exited: Promise<ChildExit>;
  /** True once it exited. */
  hasExited(): boolean;
}

/** Spawns `spec` detached, output appended to its log file. */
export function spawnDetached(spec: SpawnSpec): DetachedProcess {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, [...spec.args], {
      env: spec.env,
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      detached: true,
      shell: false,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let done = false;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', (error) => {
      done = true;
      resolve({ code: null, signal: null, error });
    });
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const identity = child.pid === undefined ? undefined : (identify(child.pid) ?? { pid: child.pid });
  return { child, identity, exited, hasExited: () => done };
}
