/**
 * The constructor service: registers itself, joins the leader election on
 * `/constructors/leader`, and runs a {@link Scheduler} for each term it leads. Leadership is
 * dropped the moment the session is suspended or lost (the latch's policy); the running attempts
 * then stop at their next checkpoint and stay persisted for the next leader.
 */
import { SCHEMA_VERSION, paths, serializeDocument } from '@wharf/model';
import {
  createObservabilityHandler,
  startObservabilityServer,
  type HealthReport,
  type ObservabilityServer,
} from '@wharf/observability';
import { EventRecorder, LeaderLatch, ScrapeTokenVerifier, type EphemeralRegistration } from '@wharf/zk';
import { Mutex } from './apply/mutex';
import { type LeaderElection } from './leader/worker-latch';
import { iso } from './core/step-log';
import { createConstructorMetrics, type ConstructorMetrics } from './metrics';
import {
  compileConstructorOptions,
  type CompiledConstructorOptions,
  type ConstructorOptions,
} from './options';
import { Scheduler } from './scheduler';
import { Heartbeat } from './health/heartbeat';
import { MeteringLoop } from './metering/metering-loop';
import { WebhookNotifier } from './events/notifier';

/**
 * `latent` (created) → `starting` → `standby` ⇄ `leading` → `closing` → `closed`.
 */
export type ConstructorState = 'latent' | 'starting' | 'standby' | 'leading' | 'closing' | 'closed';

/** A running constructor. */
export interface Constructor {
  /** The constructor's state. */
  readonly state: ConstructorState;
  /** This constructor's id. */
  readonly id: string;
  /** `http://host:port` of `/metrics` and `/health`, once started with a metrics port. */
  readonly metricsUrl: string | undefined;
  /** Registers, joins the election and serves metrics. */
  start(): Promise<void>;
  /** Stops leading (attempts stay persisted), leaves the election, deregisters. Idempotent. */
  close(): Promise<void>;
}

/** Creates a constructor; nothing happens until `start()`. */
export function createConstructor(options: ConstructorOptions): Constructor {
  return new ConstructorService(compileConstructorOptions(options));
}

class ConstructorService implements Constructor {
  private current: ConstructorState = 'latent';
  private readonly metrics: ConstructorMetrics;
  private latch: LeaderElection | undefined;
  private registration: EphemeralRegistration | undefined;
  private server: ObservabilityServer | undefined;
  private scheduler: Scheduler | undefined;
  private heartbeat: Heartbeat | undefined;
  private metering: MeteringLoop | undefined;
  private notifier: WebhookNotifier | undefined;
  /** Records events from every leadership term's loops; never blocks them. */
  private readonly events: EventRecorder;
  /** Leadership transitions run one at a time, in order. */
  private readonly transitions = new Mutex();
  private closing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private unsubscribeZk: (() => void) | undefined;

  constructor(private readonly o: CompiledConstructorOptions) {
    this.metrics = createConstructorMetrics(o.metrics);
    this.events = new EventRecorder(o.zk, {
      logger: o.logger.child({ component: 'events' }),
      clock: o.clock,
    });
  }

  get state(): ConstructorState {
    return this.current;
  }

  get id(): string {
    return this.o.id;
  }

  get metricsUrl(): string | undefined {
    return this.server?.url;
  }

  start(): Promise<void> {
    if (this.current !== 'latent') return this.starting ?? Promise.resolve();
    this.setState('starting');
    this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const { zk, id, logger } = this.o;
    // Hundreds of attempts each write a little at the same moment: their writes of one turn go
    // out as one MULTI (a conflict in one never fails the others; see @wharf/zk's batcher).
    if (this.o.groupCommit) zk.enableGroupCommit();
    if (this.o.metricsPort !== undefined) {
      const scrapeTokens = new ScrapeTokenVerifier(zk, { logger });
      const handler = createObservabilityHandler({
        registry: this.o.metrics.registry,
        authorizeMetrics: (authorization) => scrapeTokens.allows(authorization),
        health: () => this.health(),
        logger,
      });
      this.server = await startObservabilityServer({
        port: this.o.metricsPort,
        host: this.o.metricsHost,
        handler,
        logger,
      });
    }
    this.registration = await zk.registerEphemeral(
      paths.serviceLive('constructor', id),
      this.registrationDocument(),
    );
    // The latch drops leadership on suspended/lost; a closed session must stop the term too.
    this.unsubscribeZk = zk.onStateChange((change) => {
      if (change.event === 'suspended' || change.event === 'lost' || change.event === 'closed')
        void this.transition(false);
      // With a separate latch session the latch may have kept the lead meanwhile: lead again.
      else if (change.event === 'reconnected' && (this.o.election || this.o.leaderZk !== zk))
        void this.transition(true);
    });
    const latch =
      this.o.election?.(paths.constructorLeader(), id) ??
      new LeaderLatch(this.o.leaderZk, paths.constructorLeader(), id, { logger });
    this.latch = latch;
    latch.on('isLeader', () => void this.transition(true));
    latch.on('notLeader', () => void this.transition(false));
    if (this.state === 'starting') this.setState('standby');
    await latch.start();
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.current === 'closed') return;
    // Let a start in progress settle first, so nothing it creates outlives the close.
    await this.starting?.catch(() => undefined);
    this.setState('closing');
    this.unsubscribeZk?.();
    // Stop leading first, then delete the latch node: the standby takes over at once (no session
    // expiry to wait for) and never overlaps with this term's attempts.
    await this.transitions.run(() => this.stopScheduler());
    await this.latch?.close();
    this.events.close();
    await this.registration
      ?.close()
      .catch((err: unknown) => this.o.logger.debug('deregistration failed', { err }));
    await this.server?.close();
    this.setState('closed');
  }

  /** Starts or stops the scheduler, in the order leadership changed. */
  private transition(leading: boolean): Promise<void> {
    return this.transitions.run(async () => {
      if (this.current === 'closing' || this.current === 'closed') return;
      if (leading && this.latch?.isLeader() && this.o.zk.state === 'connected') {
        if (this.scheduler) return;
        this.metrics.leader.set(1);
        this.setState('leading');
        const scheduler = new Scheduler({ ...this.o, metrics: this.metrics, events: this.events });
        this.scheduler = scheduler;
        // Loading the caches may outlast leadership; a later `notLeader` stops it meanwhile.
        scheduler.start().catch((err: unknown) => this.o.logger.error('scheduler failed to start', { err }));
        if (this.o.heartbeatIntervalMs > 0) {
          this.heartbeat = new Heartbeat({
            zk: this.o.zk,
            logger: this.o.logger.child({ component: 'heartbeat' }),
            clock: this.o.clock,
            intervalMs: this.o.heartbeatIntervalMs,
            flushMs: this.o.heartbeatFlushMs,
            events: this.events,
            unavailableAlertMs: this.o.unavailableAlertMs,
          });
          this.heartbeat.start();
        }
        if (this.o.meteringTickMs > 0) {
          this.metering = new MeteringLoop({
            zk: this.o.zk,
            logger: this.o.logger.child({ component: 'metering' }),
            clock: this.o.clock,
            tickMs: this.o.meteringTickMs,
            retentionDays: this.o.meteringRetentionDays,
          });
          this.metering.start();
        }
        if (this.o.notifierTickMs > 0) {
          this.notifier = new WebhookNotifier({
            zk: this.o.zk,
            logger: this.o.logger.child({ component: 'webhooks' }),
            clock: this.o.clock,
            tickMs: this.o.notifierTickMs,
            policy: this.o.deliveryPolicy,
            deadLetterRetentionDays: this.o.deadLetterRetentionDays,
            deliveries: this.metrics.webhookDeliveries,
          });
          this.notifier.start();
        }
      } else if (!leading) {
        await this.stopScheduler();
        if (this.current === 'leading') this.setState('standby');
      }
    });
  }

  private async stopScheduler(): Promise<void> {
    this.metrics.leader.set(0);
    const scheduler = this.scheduler;
    this.scheduler = undefined;
    const { heartbeat, metering, notifier } = this;
    this.heartbeat = undefined;
    this.metering = undefined;
    this.notifier = undefined;
    await Promise.all([scheduler?.close(), heartbeat?.close(), metering?.close(), notifier?.close()]);
  }

  private health(): HealthReport {
    const zkState = this.o.zk.state;
    const serving = this.current === 'standby' || this.current === 'leading';
    return {
      checks: {
        zookeeper:
          zkState === 'connected' ? { status: 'ok' } : { status: 'failing', detail: `session ${zkState}` },
        constructor: { status: serving ? ('ok' as const) : ('failing' as const), detail: this.current },
      },
    };
  }

  private registrationDocument(): Buffer {
    return serializeDocument('service-registration', {
      schema_version: SCHEMA_VERSION,
      id: this.o.id,
      service: 'constructor',
      address: this.o.address,
      ...(this.server ? { port: this.server.address.port } : {}),
      version: this.o.version,
      started: iso(this.o.clock.now()),
    });
  }

  private setState(next: ConstructorState): void {
    if (this.current === next) return;
    this.o.logger.info('constructor state changed', { from: this.current, to: next });
    this.current = next;
  }
}
