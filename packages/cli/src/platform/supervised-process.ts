/**
 * One service process under `wharf up`: spawned detached (its own process group) with stdout and
 * stderr appended to its log file, restarted with back-off when it exits unexpectedly, stopped
 * with SIGTERM → grace → SIGKILL. A stop-gap supervisor until the runner service exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { type Logger } from '@wharf/observability';
import { type BackoffState, nextRestart } from './backoff';
import { type Clock, systemClock } from './clock';
import { type StopOutcome, stopProcessGroup } from './process-control';

/**
 * `idle` → `running` ⇄ `backing-off` (crashed, restart scheduled) → `stopping` → `stopped`.
 * `stopped` is final; a process that exits unexpectedly while not supervised ends there too.
 */
export type SupervisedState = 'idle' | 'running' | 'backing-off' | 'stopping' | 'stopped';

/** Options of a {@link SupervisedProcess}. */
export interface SupervisedProcessOptions {
  readonly id: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logFile: string;
  readonly logger: Logger;
  /** Restart after an unexpected exit. */
  readonly restart: boolean;
  /** Called after every spawn (the first and each restart) with the new pid. */
  readonly onSpawn?: (pid: number, restarts: number) => void;
  readonly clock?: Clock;
}

/** A supervised child process. */
export class SupervisedProcess {
  private stateValue: SupervisedState = 'idle';
  private child: ChildProcess | undefined;
  private spawnedAt = 0;
  private backoff: BackoffState = { failures: 0 };
  private restartCount = 0;
  private cancelRestart: (() => void) | undefined;
  private stopping: Promise<StopOutcome> | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: SupervisedProcessOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger.child({ id: options.id });
  }

  /** The current state. */
  get state(): SupervisedState {
    return this.stateValue;
  }

  /** Pid of the running process, if any. */
  get pid(): number | undefined {
    return this.stateValue === 'running' || this.stateValue === 'stopping' ? this.child?.pid : undefined;
  }

  /** How many times it was restarted. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Spawns the process. */
  start(): void {
    if (this.stateValue !== 'idle') throw new Error(`${this.options.id} was already started`);
    this.spawnChild();
  }

  /** Stops the process (idempotent); a pending restart is cancelled. */
  stop(graceMs: number): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<StopOutcome> {
    const previous = this.stateValue;
    this.transition('stopping');
    this.cancelRestart?.();
    const pid = this.child?.pid;
    const outcome =
      previous === 'running' && pid !== undefined
        ? await stopProcessGroup(pid, graceMs, (ms) => this.clock.sleep(ms))
        : 'not-running';
    this.transition('stopped');
    return outcome;
  }

  private spawnChild(): void {
    const { command, args, env, cwd, logFile } = this.options;
    this.note(logFile, 'process starting', { restarts: this.restartCount });
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, [...args], {
        cwd,
        env,
        detached: true,
        shell: false,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.spawnedAt = this.clock.now();
    this.transition('running');
    let exited = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (exited) return;
      exited = true;
      this.note(logFile, 'process exited', { code, signal, ...(error ? { error: error.message } : {}) });
      this.handleExit(code, signal, error);
    };
    child.once('error', (err) => onExit(null, null, err));
    child.once('exit', (code, signal) => onExit(code, signal));
    if (child.pid !== undefined) this.options.onSpawn?.(child.pid, this.restartCount);
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.stateValue === 'stopping' || this.stateValue === 'stopped') return;
    const meta = { code, signal, ...(error ? { err: error } : {}) };
    if (!this.options.restart) {
      this.logger.error('service exited', meta);
      this.transition('stopped');
      return;
    }
    const { state, delayMs } = nextRestart(this.backoff, this.clock.now() - this.spawnedAt);
    this.backoff = state;
    this.logger.warn('service exited; restarting', { ...meta, delayMs });
    this.transition('backing-off');
    this.cancelRestart = this.clock.schedule(() => {
      this.cancelRestart = undefined;
      if (this.stateValue !== 'backing-off') return;
      this.restartCount++;
      try {
        this.spawnChild();
      } catch (err) {
        this.handleExit(null, null, err as Error);
      }
    }, delayMs);
  }

  private transition(next: SupervisedState): void {
    if (next === this.stateValue) return;
    this.logger.debug('process state', { from: this.stateValue, to: next });
    this.stateValue = next;
  }

  /** Appends one JSON line of our own to the service's log, so restarts show up next to its output. */
  private note(logFile: string, message: string, meta: Record<string, unknown>): void {
    const line = {
      timestamp: new Date(this.clock.now()).toISOString(),
      level: 'info',
      source: 'wharf-up',
      message,
      ...meta,
    };
    try {
      appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    } catch {
      // The log directory vanished (someone removed WHARF_HOME); the process itself will say more.
    }
  }
}
