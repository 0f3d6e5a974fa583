/**
 * The process launcher: `node services/<svc>/dist/main.js`, detached (its own process group),
 * stdout and stderr appended to the service's log file, stopped with SIGTERM → grace → SIGKILL
 * to the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type LaunchedService, type ServiceExit, type ServiceLauncher, type StopOutcome } from './launcher';
import { isProcessAlive, signalGroup, waitUntil } from './process-control';
import { type ServiceLaunchSpec } from './roles';

/** Grace after SIGKILL for the kernel to reap the group before a stop reports done. */
const KILL_SETTLE_MS = 2000;

/** Options of {@link ProcessLauncher}. */
export interface ProcessLauncherOptions {
  /** Directory holding `<service>/dist/main.js` (the repository's `services/`). */
  readonly servicesDir: string;
  /** The Node binary (default: the runner's own). */
  readonly node?: string;
  /** Environment every service inherits (the contract variables override it). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
}

/** Starts services as child processes. */
export class ProcessLauncher implements ServiceLauncher {
  readonly mode = 'process' as const;

  constructor(private readonly options: ProcessLauncherOptions) {}

  /** The entry point of `service`. */
  entryOf(service: string): string {
    return join(this.options.servicesDir, service, 'dist', 'main.js');
  }

  launch(spec: ServiceLaunchSpec): Promise<LaunchedService> {
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.options.node ?? process.execPath, [this.entryOf(spec.service)], {
        env: { ...this.options.baseEnv, ...spec.env },
        detached: true,
        shell: false,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<ServiceExit>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    return Promise.resolve(new LaunchedProcess(child, exited));
  }
}

class LaunchedProcess implements LaunchedService {
  private stopping: Promise<StopOutcome> | undefined;
  private done = false;

  constructor(
    private readonly child: ChildProcess,
    readonly exited: Promise<ServiceExit>,
  ) {
    void exited.then(() => {
      this.done = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stop(graceMs: number): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<StopOutcome> {
    const pid = this.child.pid;
    if (pid === undefined || this.done || !isProcessAlive(pid)) return 'not-running';
    // SIGTERM to the leader only, so the service stops its own children in order.
    this.child.kill('SIGTERM');
    if (await waitUntil(() => this.done || !isProcessAlive(pid), graceMs)) {
      signalGroup(pid, 'SIGKILL'); // leftovers the service forgot
      return 'terminated';
    }
    signalGroup(pid, 'SIGKILL');
    await waitUntil(() => this.done || !isProcessAlive(pid), KILL_SETTLE_MS);
    return 'killed';
  }
}
