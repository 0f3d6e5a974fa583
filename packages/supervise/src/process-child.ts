/** A {@link Launched} child process: spawned detached, stopped as a process group. */
import { type StopOutcome, stopProcessGroup } from './process-group';
import { type ProcessIdentity } from './process-identity';
import { type SpawnSpec, spawnDetached } from './spawn';
import { type Launched } from './supervised-child';

/** A launched process, with the identity to record (pid files, platform.json). */
export interface LaunchedProcess extends Launched {
  readonly identity: ProcessIdentity | undefined;
}

/** Spawns `spec` detached; `stop` is SIGTERM to it, `graceMs`, then SIGKILL to its group. */
export function launchProcess(spec: SpawnSpec): LaunchedProcess {
  const proc = spawnDetached(spec);
  let stopping: Promise<StopOutcome> | undefined;
  const stop = async (graceMs: number): Promise<StopOutcome> => {
    const pid = proc.child.pid;
    if (pid === undefined) return 'not-running';
    // Our own child: its pid is not reused before we reaped it, and `exited` says when we did.
    return stopProcessGroup(pid, { graceMs, exited: proc.hasExited });
  };
  return {
    pid: proc.child.pid,
    identity: proc.identity,
    exited: proc.exited,
    stop: (graceMs) => (stopping ??= stop(graceMs)),
  };
}
