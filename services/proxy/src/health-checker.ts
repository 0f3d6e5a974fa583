/**
 * Active health checks: every {@link HEALTH_CHECK_INTERVAL_MS} each instance held down in an
 * {@link InstanceHealth} gets a TCP connect; one that accepts is marked up again, so a restarted
 * member is back in rotation within about a second without any client request used as a probe.
 * A TCP connect, not an HTTP request: it is what a failed attempt proved broken, and it works for
 * every stack behind the proxy.
 *
 * States: `idle → running → closed`; `close()` is idempotent and stops the loop.
 */
import net from 'node:net';
import type { Logger } from '@wharf/observability';
import type { Clock, TimerHandle } from './clock';
import type { DownInstance, InstanceHealth } from './instance-health';

/**
 * Probe period. One second puts a restarted instance back in rotation in about a second, at the
 * cost of one connect per down instance per second: nothing next to the traffic it will serve.
 */
export const HEALTH_CHECK_INTERVAL_MS = 1_000;
/**
 * A probe that has not connected after this fails. Below the interval so probes never pile up; a
 * LAN connect takes well under a millisecond, so a healthy instance is never this slow.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 800;

/** Options for {@link HealthChecker}. */
export interface HealthCheckerOptions {
  readonly health: InstanceHealth;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  /** The probe; default a TCP connect. Resolves true when the instance accepts. */
  readonly probe?: (instance: DownInstance, timeoutMs: number) => Promise<boolean>;
}

/** Lifecycle of a {@link HealthChecker}. */
export type HealthCheckerState = 'idle' | 'running' | 'closed';

/** True when `host:port` accepts a TCP connection within `timeoutMs`. */
export function tcpProbe(instance: Pick<DownInstance, 'host' | 'port'>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: instance.host, port: instance.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Probes down instances periodically and marks those that answer up. */
export class HealthChecker {
  private stateValue: HealthCheckerState = 'idle';
  private timer: TimerHandle | undefined;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly probe: (instance: DownInstance, timeoutMs: number) => Promise<boolean>;

  constructor(private readonly options: HealthCheckerOptions) {
    this.intervalMs = options.intervalMs ?? HEALTH_CHECK_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
    this.probe = options.probe ?? tcpProbe;
  }

  /** Current state. */
  get state(): HealthCheckerState {
    return this.stateValue;
  }

  /** Starts the probe loop. */
  start(): void {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'running';
    this.schedule();
  }

  /** Stops the loop. Idempotent. */
  close(): void {
    this.stateValue = 'closed';
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Probes every down instance once (the loop's body; exposed for tests). */
  async checkOnce(): Promise<void> {
    const down = this.options.health.list();
    await Promise.all(
      down.map(async (instance) => {
        const ok = await this.probe(instance, this.timeoutMs);
        if (!ok || this.stateValue === 'closed') return;
        if (this.options.health.markUp(instance.instanceId)) {
          this.options.logger.info('instance back in rotation', {
            instance: instance.instanceId,
            down_ms: this.options.clock.now() - instance.since,
          });
        }
      }),
    );
  }

  private schedule(): void {
    if (this.stateValue !== 'running') return;
    this.timer = this.options.clock.setTimeout(() => {
      this.checkOnce().then(
        () => this.schedule(),
        (err: unknown) => {
          this.options.logger.warn('health check failed', { err });
          this.schedule();
        },
      );
    }, this.intervalMs);
  }
}
