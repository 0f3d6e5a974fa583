/**
 * The foreground side of `wharf up` while its background supervisor runs: prints the
 * supervisor's progress and its summary, turns Ctrl-C into an ordered stop (a second one kills),
 * and settles the exit code — at `ready` when detached, when the supervisor exits otherwise.
 */
import { type ChildProcess } from 'node:child_process';
import { type UpConfig } from '@wharf/platform';
import { type CliContext } from '../context';
import { formatErrorBody, formatLogLine } from '../output/format';
import { sendSignal } from '@wharf/supervise';
import { isRecordedRunning, readPlatformFile, removePlatformFile } from '@wharf/platform';
import { formatReadyInfo } from '@wharf/platform';
import { logTail } from '@wharf/platform';
import { type SupervisorMessage, type SupervisorMode, isSupervisorMessage } from './supervisor-protocol';

/**
 * Extra time the foreground waits beyond the supervisor's own start and stop bounds before it
 * gives up on a supervisor that neither reported nor exited (a hung process, not a slow start).
 */
export const SUPERVISOR_SILENCE_MARGIN_MS = 30_000;

/** Lines of the supervisor's log shown when it dies unexpectedly. */
const SUPERVISOR_LOG_TAIL = 20;

/** `starting` → `running` (attached) | `detached` | `failed`; `stopping` after Ctrl-C. */
type Phase = 'starting' | 'running' | 'failed' | 'stopping' | 'detached';

/** How the foreground was asked to run. */
export interface WatchOptions {
  readonly mode: SupervisorMode;
  readonly logFile: string;
  readonly json: boolean;
}

/** Watches one background supervisor; `result` is the exit code of `wharf up`. */
export class SupervisorWatch {
  /** Resolves with the exit code. */
  readonly result: Promise<number>;
  private phase: Phase = 'starting';
  private signals = 0;
  private resolve!: (code: number) => void;
  private readonly silence: NodeJS.Timeout;
  private readonly removeSignalHandler: () => void;

  constructor(
    private readonly child: ChildProcess,
    private readonly config: UpConfig,
    private readonly options: WatchOptions,
    private readonly ctx: CliContext,
  ) {
    this.result = new Promise((resolve) => (this.resolve = resolve));
    this.silence = setTimeout(
      () => this.onSilence(),
      config.startTimeoutMs + config.stopTimeoutMs + SUPERVISOR_SILENCE_MARGIN_MS,
    );
    this.removeSignalHandler = ctx.onShutdownSignal(() => this.onSignal());
    child.on('message', (message: unknown) => {
      if (isSupervisorMessage(message)) this.onMessage(message);
    });
    child.on('exit', (code, signal) => void this.onExit(code, signal));
  }

  private onMessage(message: SupervisorMessage): void {
    if (message.type === 'log') {
      this.print([formatLogLine(message.level, message.message, message.meta)], this.ctx.stderr);
    } else if (message.type === 'failed') {
      this.phase = 'failed';
      this.print(
        formatErrorBody(message.error.code, message.error.message, message.error.details),
        this.ctx.stderr,
      );
    } else if (this.phase === 'starting') {
      clearTimeout(this.silence);
      this.print(
        this.options.json ? [JSON.stringify(message.info, null, 2)] : ['', ...formatReadyInfo(message.info)],
      );
      if (this.options.mode === 'detached') this.detach();
      else this.phase = 'running';
    }
  }

  /** Lets the supervisor run on without us: no handlers, no IPC, nothing keeping this process alive. */
  private detach(): void {
    this.phase = 'detached';
    this.removeSignalHandler();
    this.child.removeAllListeners();
    this.child.disconnect();
    this.child.unref();
    this.resolve(0);
  }

  private onSignal(): void {
    this.signals++;
    if (this.signals === 1) {
      this.print(['stopping the platform (press Ctrl-C again to kill it)'], this.ctx.stderr);
      if (this.phase !== 'failed') this.phase = 'stopping';
      if (this.child.pid !== undefined) sendSignal(this.child.pid, 'SIGTERM');
    } else {
      this.print(['killing the platform'], this.ctx.stderr);
      void forceKill(this.config.home, this.child.pid);
    }
  }

  private onSilence(): void {
    const { logFile } = this.options;
    this.print(
      [`error WHARF_TIMEOUT: the supervisor neither reported nor exited; killing it (log: ${logFile})`],
      this.ctx.stderr,
    );
    void forceKill(this.config.home, this.child.pid);
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    clearTimeout(this.silence);
    this.removeSignalHandler();
    const { logFile } = this.options;
    if (this.phase === 'detached') return;
    if (this.phase === 'failed') return this.resolve(1);
    if (this.phase === 'stopping' || (this.phase === 'running' && code === 0)) {
      const how =
        code === 0 ? 'Wharf stopped.' : `the supervisor exited with ${signal ?? code} (log: ${logFile})`;
      this.print([how], this.ctx.stderr);
      return this.resolve(code === 0 ? 0 : 1);
    }
    const when = this.phase === 'starting' ? 'before the platform was ready' : 'unexpectedly';
    const tail = await logTail(logFile, SUPERVISOR_LOG_TAIL);
    this.print(
      [
        `error WHARF_INTERNAL: the supervisor exited (${signal ?? code}) ${when}; log ${logFile}:`,
        ...tail.map((l) => `    | ${l}`),
      ],
      this.ctx.stderr,
    );
    this.resolve(1);
  }

  private print(lines: string[], sink = this.ctx.stdout): void {
    sink.write(`${lines.join('\n')}\n`);
  }
}

/** SIGKILL to the supervisor's group and to every process group platform.json lists. */
async function forceKill(home: string, supervisorPid: number | undefined): Promise<void> {
  if (supervisorPid !== undefined) sendSignal(supervisorPid, 'SIGKILL', true);
  const record = await readPlatformFile(home).catch(() => undefined);
  for (const service of record?.services ?? []) {
    if (isRecordedRunning(service)) sendSignal(service.pid, 'SIGKILL', true);
  }
  await removePlatformFile(home);
}
