/**
 * One service under the runner: launched through a {@link ServiceLauncher}, restarted with
 * back-off when it ends unexpectedly, stopped on request. Reports every state change so the
 * runner can publish what runs in the host's live node.
 */
import { type Logger } from '@wharf/observability';
import { type BackoffState, nextRestart } from './backoff';
import { type Clock } from './clock';
import { type LaunchedService, type ServiceExit, type ServiceLauncher, type StopOutcome } from './launcher';
import { type ServiceLaunchSpec } from './roles';

/**
 * `starting` → `running` ⇄ `backing-off` (ended, restart scheduled) → `stopping` → `stopped`.
 * `stopped` is final.
 */
export type SupervisedState = 'starting' | 'running' | 'backing-off' | 'stopping' | 'stopped';

/** Options of a {@link SupervisedService}. */
export interface SupervisedServiceOptions {
  readonly spec: ServiceLaunchSpec;
  readonly launcher: ServiceLauncher;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Called after each state change (and each new pid). */
  readonly onChange: (service: SupervisedService) => void;
  /** Called when the service ended unexpectedly and a restart is scheduled. */
  readonly onCrash?: (service: SupervisedService, exit: ServiceExit) => void;
}

/** A supervised service. */
export class SupervisedService {
  private stateValue: SupervisedState = 'starting';
  private current: LaunchedService | undefined;
  private startedAt = 0;
  private backoff: BackoffState = { failures: 0 };
  private restartCount = 0;
  private cancelRestart: (() => void) | undefined;
  private stopping: Promise<StopOutcome> | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: SupervisedServiceOptions) {
    this.logger = options.logger.child({ service: options.spec.service, id: options.spec.id });
  }

  /** The launch spec. */
  get spec(): ServiceLaunchSpec {
    return this.options.spec;
  }

  /** The current state. */
  get state(): SupervisedState {
    return this.stateValue;
  }

  /** Pid of the running service, if any. */
  get pid(): number | undefined {
    return this.stateValue === 'running' || this.stateValue === 'stopping' ? this.current?.pid : undefined;
  }

  /** Restarts so far. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Launches the service (once). */
  start(): void {
    this.logger.info('service starting');
    void this.launch();
  }

  /** Stops it (idempotent); a pending restart is cancelled. */
  stop(graceMs: number): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<StopOutcome> {
    this.cancelRestart?.();
    this.transition('stopping');
    const outcome = this.current ? await this.current.stop(graceMs) : 'not-running';
    this.logger.info('service stopped', { outcome });
    this.transition('stopped');
    return outcome;
  }

  private async launch(): Promise<void> {
    let launched: LaunchedService;
    try {
      launched = await this.options.launcher.launch(this.options.spec);
    } catch (err) {
      this.onExit({ code: null, signal: null, error: err as Error });
      return;
    }
    if (this.stateValue === 'stopping' || this.stateValue === 'stopped') {
      await launched.stop(0);
      return;
    }
    this.current = launched;
    this.startedAt = this.options.clock.now();
    this.transition('running');
    void launched.exited.then((exit) => {
      if (this.current === launched) this.onExit(exit);
    });
  }

  private onExit(exit: ServiceExit): void {
    if (this.stateValue === 'stopping' || this.stateValue === 'stopped') return;
    const ranForMs = this.options.clock.now() - this.startedAt;
    const { state, delayMs } = nextRestart(this.backoff, ranForMs);
    this.backoff = state;
    this.logger.warn('service exited; restarting', {
      code: exit.code,
      signal: exit.signal,
      ...(exit.error ? { err: exit.error } : {}),
      delayMs,
    });
    this.transition('backing-off');
    this.options.onCrash?.(this, exit);
    this.cancelRestart = this.options.clock.schedule(() => {
      this.cancelRestart = undefined;
      if (this.stateValue !== 'backing-off') return;
      this.restartCount++;
      this.transition('starting');
      void this.launch();
    }, delayMs);
  }

  private transition(next: SupervisedState): void {
    if (next === this.stateValue && next !== 'running') return;
    this.stateValue = next;
    this.options.onChange(this);
  }
}
