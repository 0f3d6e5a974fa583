/** One `wharf-runner` process of `wharf up`: spawned detached, noted in its log and in platform.json. */
import { type Clock, type LaunchedProcess, launchProcess } from '@wharf/supervise';
import { type RunnerLaunch } from './host-plan';
import { appendLogNote } from './log-note';
import { type ProcessRecord } from './platform-file';
import { runnerRecord } from './simulated-hosts';

/** How to start a runner. */
export interface RunnerProcessOptions {
  /** The Node executable. */
  readonly execPath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: Pick<Clock, 'now'>;
  /** Restarts before this launch. */
  readonly restarts: number;
  /** Called with the runner's platform.json record once it is spawned. */
  readonly onSpawn: (record: ProcessRecord) => void;
}

/** Spawns the runner of `launch`. */
export function launchRunner(launch: RunnerLaunch, options: RunnerProcessOptions): LaunchedProcess {
  const { clock, restarts } = options;
  appendLogNote(launch.logFile, clock, 'process starting', { restarts });
  const launched = launchProcess({
    command: options.execPath,
    // The runner allocates little: a 1 MB young generation saves ~10 MB of idle RSS (as for the
    // control-plane services it starts, services/runner CONTROL_PLANE_NODE_OPTIONS).
    args: ['--max-semi-space-size=1', launch.entry],
    env: options.env,
    cwd: options.cwd,
    logFile: launch.logFile,
  });
  void launched.exited.then(({ code, signal, error }) =>
    appendLogNote(launch.logFile, clock, 'process exited', {
      code,
      signal,
      ...(error ? { error: error.message } : {}),
    }),
  );
  if (launched.identity !== undefined) options.onSpawn(runnerRecord(launch, launched.identity, restarts));
  return launched;
}
