/**
 * The runner: registers its host, follows the host's roles through a watch on `/hosts/<host>`,
 * and keeps exactly the services those roles call for running (start the missing, stop the
 * removed, restart the crashed through a `SupervisedChild` of @wharf/supervise). What runs is published in the
 * ephemeral `/hosts/<host>/live`.
 *
 * ```
 *  /hosts/<host> ──watch──▶ roles ──planLaunches (pure)──▶ desired ──diff──▶ stop removed, start missing
 *                                                                      ▲
 *                                      supervised services (running) ──┘──▶ /hosts/<host>/live
 * ```
 */
import {
  assertDocument,
  isHostRole,
  isWharfError,
  paths,
  serializeDocument,
  type HostLive,
  type HostRegistration,
  type HostRole,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock, SupervisedChild, systemClock } from '@wharf/supervise';
import { TreeCache, type EphemeralRegistration, type ZkSession } from '@wharf/zk';
import {
  type HostFacts,
  type JoinRequest,
  bootstrapHost,
  joinWithToken,
  registerHost,
} from './host-registration';
import { type ServiceLauncher } from './launcher';
import { type RunnerMetrics } from './metrics';
import { type LaunchContext, type ServiceLaunchSpec, planLaunches, servicesBeside } from './roles';

/** A service under the runner: its launch spec and its supervised child. */
export interface SupervisedService {
  readonly spec: ServiceLaunchSpec;
  readonly child: SupervisedChild;
}

/** SIGTERM grace per service: the api and the allocator drain and deregister within a few seconds. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/** `latent` → `starting` → `running` → `closing` → `closed`. */
export type RunnerState = 'latent' | 'starting' | 'running' | 'closing' | 'closed';

/** Options of a {@link Runner}. */
export interface RunnerOptions {
  readonly zk: ZkSession;
  readonly logger: Logger;
  readonly metrics: RunnerMetrics;
  readonly launcher: ServiceLauncher;
  readonly context: LaunchContext;
  readonly version: string;
  readonly pid: number;
  /** Join with a roles token instead of a plain registration. */
  readonly join?: Omit<JoinRequest, 'now'>;
  /** First host of a new installation: register with these roles (see {@link bootstrapHost}). */
  readonly bootstrapRoles?: readonly HostRole[];
  /**
   * Secure mode: the roles this host's certificates were signed for (the director checked the
   * token); a new host registers with them, a registered one keeps its roles.
   */
  readonly certifiedRoles?: readonly HostRole[];
  readonly stopGraceMs?: number;
  readonly clock?: Clock;
}

/** One host's supervisor. */
export class Runner {
  private stateValue: RunnerState = 'latent';
  private readonly services = new Map<string, SupervisedService>();
  private cache: TreeCache | undefined;
  private live: EphemeralRegistration | undefined;
  private roles: readonly HostRole[] = [];
  private reconciling: Promise<void> = Promise.resolve();
  private reconcileQueued = false;
  private publishing: Promise<void> = Promise.resolve();
  private publishQueued = false;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: RunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
  }

  /** The current state. */
  get state(): RunnerState {
    return this.stateValue;
  }

  /** The host's id. */
  get hostId(): string {
    return this.options.context.hostId;
  }

  /** The supervised services by id (a copy). */
  running(): Map<string, SupervisedService> {
    return new Map(this.services);
  }

  /** Registers (or joins), publishes the live node and starts following the roles. */
  async start(): Promise<HostRegistration> {
    if (this.stateValue !== 'latent') throw new Error('runner already started');
    this.transition('starting');
    const { zk, join, bootstrapRoles } = this.options;
    const facts = this.facts();
    let registration: HostRegistration;
    let how: 'joined' | 'bootstrapped' | 'certified' | 'registered' = 'registered';
    if (join) {
      try {
        registration = await joinWithToken(zk, facts, { ...join, now: new Date(this.clock.now()) });
        how = 'joined';
      } catch (err) {
        // A runner restarted with the same settings (a container with --restart) presents its
        // one-shot token again: once the host is registered it does not need it, and keeps its roles.
        if (!isWharfError(err, 'WHARF_UNAUTHORIZED') || (await zk.exists(paths.host(facts.id))) === null)
          throw err;
        this.logger.warn('roles token refused but the host is registered already; keeping its roles', {
          host: facts.id,
          reason: err.message,
        });
        registration = await registerHost(zk, facts);
      }
    } else if (bootstrapRoles !== undefined && bootstrapRoles.length > 0) {
      const result = await bootstrapHost(zk, facts, bootstrapRoles);
      registration = result.registration;
      if (result.bootstrapped) how = 'bootstrapped';
      else this.logger.info('host registered already; bootstrap roles ignored', { host: facts.id });
    } else {
      registration = await registerHost(zk, facts, this.options.certifiedRoles);
      if (this.options.certifiedRoles !== undefined) how = 'certified';
    }
    this.logger.info('host registered', { host: facts.id, roles: registration.roles, how });
    this.live = await zk.registerEphemeral(paths.hostLive(facts.id), this.liveDocument());
    const cache = new TreeCache(zk, paths.host(facts.id), { depth: 0 });
    this.cache = cache;
    cache.on('initialized', () => this.scheduleReconcile());
    cache.on('changed', () => this.scheduleReconcile());
    await cache.start();
    this.transition('running');
    return registration;
  }

  /** Resolves once the latest role change has been acted on (tests and shutdown). */
  async settled(): Promise<void> {
    await this.reconciling;
  }

  /** Stops following the roles, stops every service, removes the live node. Idempotent. */
  async close(): Promise<void> {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
    this.transition('closing');
    await this.cache?.close();
    await this.reconciling;
    await this.stopServices([...this.services.values()]);
    await this.publishing;
    await this.live?.close();
    this.transition('closed');
  }

  private facts(): HostFacts {
    const { context, launcher, version } = this.options;
    return {
      id: context.hostId,
      address: context.address,
      zone: context.zone,
      runtime: launcher.mode,
      version,
      started: new Date(this.clock.now()).toISOString(),
    };
  }

  private scheduleReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    this.reconciling = this.reconciling.then(async () => {
      this.reconcileQueued = false;
      if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
      try {
        await this.reconcile();
      } catch (err) {
        this.logger.error('reconcile failed', { err });
      }
    });
  }

  /** Reads the cached roles; a bad document keeps the last good roles (logged, never fatal). */
  private currentRoles(): readonly HostRole[] {
    const node = this.cache?.get(paths.host(this.hostId));
    if (!node) return this.roles;
    try {
      const doc = assertDocument('host-registration', JSON.parse(node.data.toString('utf8')));
      return doc.roles.filter(isHostRole);
    } catch (err) {
      this.logger.warn('host registration unreadable; keeping roles', { err, host: this.hostId });
      return this.roles;
    }
  }

  private async reconcile(): Promise<void> {
    this.options.metrics.reconciles.inc();
    const roles = this.currentRoles();
    if (roles.join() !== this.roles.join()) this.logger.info('host roles', { roles });
    this.roles = roles;
    for (const role of ['allocator', 'proxy', 'coordinator', 'director'] as const) {
      this.options.metrics.roles.set({ role }, roles.includes(role) ? 1 : 0);
    }
    const desired = new Map(planLaunches(this.options.context, roles).map((spec) => [spec.id, spec]));
    const removed = [...this.services.values()].filter((s) => !sameSpec(desired.get(s.spec.id), s.spec));
    await this.stopServices(removed);
    for (const spec of desired.values()) {
      if (!this.services.has(spec.id)) this.startService(spec);
    }
    this.publishLive();
  }

  private startService(spec: ServiceLaunchSpec): void {
    const child = new SupervisedChild({
      name: spec.id,
      launch: () => this.options.launcher.launch(spec),
      logger: this.logger.child({ service: spec.service, id: spec.id }),
      clock: this.clock,
      onChange: () => this.publishLive(),
      onExit: () => this.options.metrics.restarts.inc({ service: spec.service }),
    });
    this.services.set(spec.id, { spec, child });
    child.start();
  }

  private async stopServices(services: SupervisedService[]): Promise<void> {
    const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    await Promise.all(
      services.map(async (service) => {
        await service.child.stop(grace);
        if (this.services.get(service.spec.id) === service) this.services.delete(service.spec.id);
      }),
    );
    if (services.length > 0) this.publishLive();
  }

  private liveDocument(): Buffer {
    const doc: HostLive = {
      schema_version: 1,
      pid: this.options.pid,
      updated: new Date(this.clock.now()).toISOString(),
      services: [...this.services.values()]
        .filter((s) => s.child.state.kind !== 'stopped')
        .map(({ spec, child }) => ({
          service: spec.service,
          id: spec.id,
          state: liveState(child),
          ...(child.pid === undefined ? {} : { pid: child.pid }),
          ...(spec.port === undefined ? {} : { port: spec.port }),
          restarts: child.restarts,
        })),
    };
    const beside = servicesBeside(this.options.context, this.roles);
    return serializeDocument('host-live', beside.length === 0 ? doc : { ...doc, beside });
  }

  /** Coalesced: at most one write in flight and one queued. */
  private publishLive(): void {
    this.updateServiceGauge();
    if (this.publishQueued || !this.live) return;
    this.publishQueued = true;
    this.publishing = this.publishing.then(async () => {
      this.publishQueued = false;
      // While closing the live node is about to go: no writes that could wait on a lost ZooKeeper.
      if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
      try {
        await this.live?.update(this.liveDocument());
      } catch (err) {
        this.logger.warn('live node update failed', { err });
      }
    });
  }

  private updateServiceGauge(): void {
    const gauge = this.options.metrics.services;
    gauge.reset();
    for (const s of this.services.values()) gauge.inc({ service: s.spec.service, state: liveState(s.child) });
  }

  private transition(next: RunnerState): void {
    this.logger.info('runner state', { from: this.stateValue, to: next });
    this.stateValue = next;
  }
}

function sameSpec(a: ServiceLaunchSpec | undefined, b: ServiceLaunchSpec): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** The state a live node shows: the runner always restarts, so `failed` cannot happen; it reads as stopped. */
function liveState(child: SupervisedChild): HostLive['services'][number]['state'] {
  const kind = child.state.kind;
  return kind === 'failed' ? 'stopped' : kind;
}
