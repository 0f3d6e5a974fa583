/**
 * The process launcher: `node services/<svc>/dist/main.js`, detached (its own process group),
 * stdout and stderr appended to the service's log file, stopped with SIGTERM → grace → SIGKILL
 * to the whole group (@wharf/supervise). Each service's pid and start time are kept in its pid
 * file: being detached, a service outlives a runner that is SIGKILLed, and the next runner stops
 * that orphan (after checking the pid is still that process) before starting its own — never two
 * on one port.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Launched, type ProcessIdentity, launchProcess, stopProcessGroup } from '@wharf/supervise';
import { type ServiceLauncher } from './launcher';
import { type ServiceLaunchSpec } from './roles';

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

  async launch(spec: ServiceLaunchSpec): Promise<Launched> {
    const entry = this.entryOf(spec.service);
    await stopOrphan(spec.pidFile, entry);
    const launched = launchProcess({
      command: this.options.node ?? process.execPath,
      args: [entry],
      env: { ...this.options.baseEnv, ...spec.env },
      logFile: spec.logFile,
    });
    if (launched.identity !== undefined) {
      const { pid, startTime } = launched.identity;
      const doc = { pid, ...(startTime === undefined ? {} : { start_time: startTime }), entry };
      mkdirSync(dirname(spec.pidFile), { recursive: true });
      writeFileSync(spec.pidFile, `${JSON.stringify(doc)}\n`, { mode: 0o600 });
    }
    return launched;
  }
}

/** The process a pid file records, or undefined when there is none or it is malformed. */
function readPidFile(pidFile: string): ProcessIdentity | undefined {
  try {
    const doc = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid?: unknown; start_time?: unknown };
    if (!Number.isInteger(doc.pid) || (doc.pid as number) <= 1) return undefined;
    const startTime = Number.isInteger(doc.start_time) ? (doc.start_time as number) : undefined;
    return { pid: doc.pid as number, ...(startTime === undefined ? {} : { startTime }) };
  } catch {
    return undefined;
  }
}

/**
 * Stops the process recorded in `pidFile` when it is still that process (same start time, and
 * running `entry`: a pid alone may have been reused): SIGTERM, {@link ORPHAN_GRACE_MS}, SIGKILL,
 * to its group.
 */
export async function stopOrphan(pidFile: string, entry: string): Promise<'none' | 'stopped'> {
  const identity = readPidFile(pidFile);
  if (identity === undefined) return 'none';
  const outcome = await stopProcessGroup(identity.pid, {
    graceMs: ORPHAN_GRACE_MS,
    identity,
    commandMatch: entry,
  });
  return outcome === 'not-running' ? 'none' : 'stopped';
}
