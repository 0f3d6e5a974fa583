/**
 * One supervised child: launched through a {@link Launch} (a process, a container), restarted
 * with back-off when it ends unexpectedly, stopped on request. The runner supervises its services
 * with it, `wharf up` its runners.
 *
 * ```
 * starting ─▶ running ─(exit)─▶ backing-off ─(delay)─▶ starting      (restart: true)
 *                 └──(exit, restart: false)──▶ failed
 * any ─(stop)─▶ stopping ─▶ stopped
 * ```
 * `stopped` and `failed` are final.
 */
import { Backoff, type BackoffPolicy, RESTART_POLICY } from './backoff';
import { type Clock, systemClock } from './clock';
import { type StopOutcome } from './process-group';
import { type ChildExit } from './spawn';

/** The logging surface supervision needs; `@wharf/observability` loggers fit it. */
export interface SuperviseLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Something started: a process or a container. */
export interface Launched {
  /** OS pid where there is one. */
  readonly pid: number | undefined;
  /** Resolves once, when it ends for whatever reason. */
  readonly exited: Promise<ChildExit>;
  /** SIGTERM (or the like), up to `graceMs`, then SIGKILL. Idempotent. */
  stop(graceMs: number): Promise<StopOutcome>;
}

/** Starts the child; throws when it cannot even be started (the supervisor then backs off). */
export type Launch = () => Promise<Launched>;

/** Where a supervised child is. */
export type State =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running'; readonly pid: number | undefined; readonly since: number }
  | { readonly kind: 'backing-off'; readonly delayMs: number; readonly exit: ChildExit }
  | { readonly kind: 'stopping'; readonly pid: number | undefined }
  | { readonly kind: 'stopped'; readonly outcome: StopOutcome }
  | { readonly kind: 'failed'; readonly exit: ChildExit };

/** The name of a {@link State}. */
export type StateKind = State['kind'];

/** Options of a {@link SupervisedChild}. */
export interface SupervisedChildOptions {
  /** Named in logs. */
  readonly name: string;
  readonly launch: Launch;
  readonly logger: SuperviseLogger;
  readonly clock?: Clock;
  /** Restart after an unexpected end (default true); false: end in `failed`. */
  readonly restart?: boolean;
  /** Default {@link RESTART_POLICY}. */
  readonly policy?: BackoffPolicy;
  /** Source of jitter, [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  /** Called after each state change. */
  readonly onChange?: (child: SupervisedChild) => void;
  /** Called when the child ended unexpectedly, before the restart is scheduled. */
  readonly onExit?: (child: SupervisedChild, exit: ChildExit) => void;
}

/** A supervised child. */
export class SupervisedChild {
  private current: State = { kind: 'starting' };
  private started = false;
  private launched: Launched | undefined;
  private restartCount = 0;
  private cancelRestart: (() => void) | undefined;
  private stopping: Promise<StopOutcome> | undefined;
  private readonly backoff: Backoff;
  private readonly clock: Clock;

  constructor(private readonly options: SupervisedChildOptions) {
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff(options.policy ?? RESTART_POLICY, options.random);
  }

  /** The current state. */
  get state(): State {
    return this.current;
  }

  /** Pid of the running child, if any. */
  get pid(): number | undefined {
    const s = this.current;
    return s.kind === 'running' || s.kind === 'stopping' ? s.pid : undefined;
  }

  /** Restarts so far. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Launches the child (once). */
  start(): void {
    if (this.started) throw new Error(`${this.options.name} was already started`);
    this.started = true;
    this.options.logger.info('child starting', { name: this.options.name });
    this.options.onChange?.(this);
    void this.launch();
  }

  /** Stops it (idempotent); a pending restart is cancelled. */
  stop(graceMs: number): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<StopOutcome> {
    this.cancelRestart?.();
    const live = this.current.kind === 'running' ? this.launched : undefined;
    this.transition({ kind: 'stopping', pid: this.pid });
    const outcome = live ? await live.stop(graceMs) : 'not-running';
    this.options.logger.info('child stopped', { name: this.options.name, outcome });
    this.transition({ kind: 'stopped', outcome });
    return outcome;
  }

  private isEnding(): boolean {
    const kind = this.current.kind;
    return kind === 'stopping' || kind === 'stopped' || kind === 'failed';
  }

  private async launch(): Promise<void> {
    let launched: Launched;
    try {
      launched = await this.options.launch();
    } catch (err) {
      this.onEnd({ code: null, signal: null, error: err as Error });
      return;
    }
    if (this.isEnding()) {
      await launched.stop(0);
      return;
    }
    this.launched = launched;
    this.transition({ kind: 'running', pid: launched.pid, since: this.clock.now() });
    void launched.exited.then((exit) => {
      if (this.launched === launched) this.onEnd(exit);
    });
  }

  private onEnd(exit: ChildExit): void {
    if (this.isEnding()) return;
    const s = this.current;
    const ranForMs = s.kind === 'running' ? this.clock.now() - s.since : 0;
    const meta = {
      name: this.options.name,
      code: exit.code,
      signal: exit.signal,
      ...(exit.error ? { err: exit.error } : {}),
    };
    this.launched = undefined;
    if (this.options.restart === false) {
      this.options.logger.error('child exited', meta);
      this.transition({ kind: 'failed', exit });
      this.options.onExit?.(this, exit);
      return;
    }
    const delayMs = this.backoff.next(ranForMs);
    this.options.logger.warn('child exited; restarting', { ...meta, delayMs });
    this.transition({ kind: 'backing-off', delayMs, exit });
    this.options.onExit?.(this, exit);
    this.cancelRestart = this.clock.schedule(() => {
      this.cancelRestart = undefined;
      if (this.current.kind !== 'backing-off') return;
      this.restartCount++;
      this.transition({ kind: 'starting' });
      void this.launch();
    }, delayMs);
  }

  private transition(next: State): void {
    this.options.logger.debug('child state', {
      name: this.options.name,
      from: this.current.kind,
      to: next.kind,
    });
    this.current = next;
    this.options.onChange?.(this);
  }
}
