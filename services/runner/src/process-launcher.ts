/**
 * The process launcher: `node services/<svc>/dist/main.js`, detached (its own process group),
 * stdout and stderr appended to the service's log file, stopped with SIGTERM → grace → SIGKILL
 * to the whole group. Each service's pid is kept in its pid file: being detached, a service
 * outlives a runner that is SIGKILLed, and the next runner stops that orphan (after checking the
 * pid still runs the same entry point) before starting its own — never two on one port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type LaunchedService, type ServiceExit, type ServiceLauncher, type StopOutcome } from './launcher';
import { commandLineOf, isProcessAlive, signalGroup, waitUntil } from './process-control';
import { type ServiceLaunchSpec } from './roles';

/** Grace after SIGKILL for the kernel to reap the group before a stop reports done. */
const KILL_SETTLE_MS = 2000;
/** Grace an orphan of an earlier runner gets between SIGTERM and SIGKILL. */
export const ORPHAN_GRACE_MS = 10_000;

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

  /**
   * The entry point of `service`: under WHARF_SERVICES_ROOT when the environment sets it (a
   * source checkout's `services/`, or stand-ins in tests), else under `servicesDir`.
   */
  entryOf(service: string): string {
    const root = this.options.baseEnv.WHARF_SERVICES_ROOT || this.options.servicesDir;
    return join(root, service, 'dist', 'main.js');
  }

  async launch(spec: ServiceLaunchSpec): Promise<LaunchedService> {
    const entry = this.entryOf(spec.service);
    await stopOrphan(spec.pidFile, entry);
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.options.node ?? process.execPath, [entry], {
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
    if (child.pid !== undefined) {
      mkdirSync(dirname(spec.pidFile), { recursive: true });
      writeFileSync(spec.pidFile, `${JSON.stringify({ pid: child.pid, entry })}\n`, { mode: 0o600 });
    }
    return new LaunchedProcess(child, exited);
  }
}

/**
 * Stops the process recorded in `pidFile` when it still runs `entry` (a pid alone may have been
 * reused by an unrelated process): SIGTERM, {@link ORPHAN_GRACE_MS}, SIGKILL, to its group.
 */
export async function stopOrphan(pidFile: string, entry: string): Promise<'none' | 'stopped'> {
  let pid: number;
  try {
    const doc = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid?: unknown };
    if (!Number.isInteger(doc.pid) || (doc.pid as number) <= 1) return 'none';
    pid = doc.pid as number;
  } catch {
    return 'none';
  }
  if (!isProcessAlive(pid) || !(commandLineOf(pid) ?? '').includes(entry)) return 'none';
  signalGroup(pid, 'SIGTERM');
  if (!(await waitUntil(() => !isProcessAlive(pid), ORPHAN_GRACE_MS))) {
    signalGroup(pid, 'SIGKILL');
    await waitUntil(() => !isProcessAlive(pid), KILL_SETTLE_MS);
  }
  return 'stopped';
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
