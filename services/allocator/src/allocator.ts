/**
 * The allocator: advertises this host, watches the instance specs assigned to it and keeps the
 * runtime's containers in line with them. A reconcile pass (observe → decide → apply → report)
 * runs after every spec change, container exit, probe flip and periodic tick, one at a time.
 */
import { type InstanceSpec, INSTANCE_STATES, paths } from '@wharf/model';
import { type HealthReport, type Logger, type Metrics } from '@wharf/observability';
import { type ContainerRuntime, type ExitEvent } from '@wharf/runtime';
import { type Clock } from '@wharf/supervise';
import { TreeCache, type ZkSession, type ZkStateChange } from '@wharf/zk';
import { type Registration, registerLiveness, writeAdvertisement } from './advertisement';
import { type ApplierContext, applyPlan, reportStatuses, statusOf } from './applier';
import {
  type CompiledAllocatorOptions,
  type AllocatorOptions,
  STARTING_PROBE_INTERVAL_MS,
  compileAllocatorOptions,
} from './options';
import { LABELS, toLabelled } from './containers';
import { type InstanceRecord, recordExit } from './instance-record';
import { type AllocatorMetrics, createAllocatorMetrics } from './metrics';
import { bindCheck } from './port-check';
import { type PortCheck } from './ports';
import { probeAll } from './prober';
import { decide, isEmptyPlan, observe, summarize } from './reconcile';
import { type LabelledContainer, recoverRecords } from './recovery';
import { readSpecs } from './spec-snapshot';
import { SpecsRootGuard } from './specs-root-guard';
import { type StackCatalog } from './stack-port';
import { StatusStore } from './status-store';
import { teardownAll } from './teardown';
import { startLogRequests, type LogRequestAnswerer } from './log-requests';
import { DataUsageMeter } from './data-usage';

/** `latent` → `starting` → `running` → `closing` → `closed`. */
export type AllocatorState = 'latent' | 'starting' | 'running' | 'closing' | 'closed';

/** Time, injected so loops can be reasoned about in tests: the part of the shared clock it needs. */
export type AllocatorClock = Pick<Clock, 'now'>;

/** Dependencies of {@link createAllocator}. */
export interface AllocatorDependencies {
  zk: ZkSession;
  /**
   * A started session with a short timeout holding only the `live` node and the service
   * registration, so a dead host is noticed in seconds while `zk` keeps its long timeout (and its
   * statuses and watches ride out longer blips). Default: `zk`. The caller owns and closes it.
   */
  livenessZk?: ZkSession;
  runtime: ContainerRuntime;
  stacks: StackCatalog;
  logger: Logger;
  metrics: Metrics;
  config: AllocatorOptions;
  clock?: AllocatorClock;
  /** Whether a port is free on the host (default: a bind test on the host address). */
  portCheck?: PortCheck;
}

/** A running allocator. */
export interface Allocator {
  readonly state: AllocatorState;
  readonly config: CompiledAllocatorOptions;
  /** Registers, recovers (adopting running instances) and starts reconciling. */
  start(): Promise<void>;
  /** Stops watching and deregisters; instances keep running (a new allocator adopts them). */
  close(): Promise<void>;
  /** `close()`, first stopping every instance when asked (their data and statuses are kept). */
  shutdown(options: { stopInstances: boolean }): Promise<void>;
  /** The current instance records. */
  instances(): InstanceRecord[];
  /** Health checks for `/health`. */
  health(): HealthReport;
}

const SYSTEM_CLOCK: AllocatorClock = { now: () => Date.now() };

/** Creates an allocator (not started). */
export function createAllocator(deps: AllocatorDependencies): Allocator {
  return new AllocatorImpl(deps);
}

class AllocatorImpl implements Allocator {
  readonly config: CompiledAllocatorOptions;
  private current: AllocatorState = 'latent';
  private readonly logger: Logger;
  private readonly metrics: AllocatorMetrics;
  private readonly clock: AllocatorClock;
  private readonly statuses: StatusStore;
  private readonly records = new Map<string, InstanceRecord>();
  private specs = new Map<string, InstanceSpec>();
  private unreadable = new Set<string>();
  /** Whether the specs root itself exists (see {@link onSpecs}). */
  private specsRootPresent = true;
  /** When the specs root came back after being gone: removals wait {@link ROOT_SETTLE_MS}. */
  private specsRootBackAt: number | undefined;
  private containers: LabelledContainer[] = [];
  private cache: TreeCache | undefined;
  private logRequests: LogRequestAnswerer | undefined;
  private registrations: Registration[] = [];
  private readonly unsubscribers: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private dirty = false;
  private probing = false;
  private readonly started = new Date().toISOString();
  private readonly ctx: ApplierContext;
  /** A wiped tree is not "remove everything" (see `specs-root-guard.ts`). */
  private readonly rootGuard: SpecsRootGuard;

  constructor(private readonly deps: AllocatorDependencies) {
    this.config = compileAllocatorOptions(deps.config);
    this.logger = deps.logger.child({ allocator: this.config.id });
    this.metrics = createAllocatorMetrics(deps.metrics);
    this.clock = deps.clock ?? SYSTEM_CLOCK;
    this.statuses = new StatusStore(deps.zk, this.config.id, this.logger);
    this.rootGuard = new SpecsRootGuard(paths.allocatorInstances(this.config.id), this.logger);
    this.ctx = {
      config: this.config,
      runtime: deps.runtime,
      stacks: deps.stacks,
      records: this.records,
      statuses: this.statuses,
      portCheck: deps.portCheck ?? bindCheck(this.config.host),
      logger: this.logger,
      metrics: this.metrics,
      now: () => this.clock.now(),
      foreignPorts: () =>
        this.containers
          .filter((c) => !this.records.has(c.instanceId))
          .flatMap((c) => Object.values(c.ports ?? {})),
      dataUsage: new DataUsageMeter({
        logger: this.logger,
        now: () => this.clock.now(),
        intervalMs: this.config.dataUsageIntervalMs,
        onChange: () => this.kick(),
      }),
    };
  }

  get state(): AllocatorState {
    return this.current;
  }

  async start(): Promise<void> {
    if (this.current !== 'latent') throw new Error(`allocator cannot start from state ${this.current}`);
    this.transition('starting');
    try {
      await this.doStart();
    } catch (err) {
      await this.close();
      throw err;
    }
    this.transition('running');
    this.kick();
  }

  private async doStart(): Promise<void> {
    const { zk, runtime } = this.deps;
    const { config } = this;
    await runtime.open();
    this.unsubscribers.push(runtime.on('exit', (event) => this.onExit(event)));
    this.unsubscribers.push(zk.onStateChange((change) => this.onSession(change)));
    this.metrics.capacityTotal.set(config.capacityMb);
    await writeAdvertisement(zk, config, this.started);
    // Recovery before the first decision: ports in use and running instances are known first.
    const statuses = await this.statuses.load();
    this.containers = await this.listContainers();
    for (const [id, record] of recoverRecords(statuses, this.containers, this.clock.now()))
      this.records.set(id, record);
    this.logger.info('allocator recovered', {
      statuses: statuses.size,
      containers: this.containers.length,
      adopted: [...this.records.values()].filter((r) => r.containerId !== undefined).map((r) => r.instanceId),
    });
    const root = paths.allocatorInstances(config.id);
    await zk.mkdirp(root);
    const cache = new TreeCache(zk, root, { depth: 1 });
    this.cache = cache;
    cache.on('initialized', () => this.onSpecs());
    cache.on('changed', () => this.onSpecs());
    await cache.start();
    this.logRequests = await startLogRequests(this.deps, config.id, this.records, this.logger);
    // Statuses before `live`: after a host restart the statuses in ZooKeeper still say "running,
    // healthy" for instances that died with it, and the constructor trusts a live allocator's
    // statuses for routing. The recovered records know better (not running: restarting).
    await reportStatuses(this.ctx);
    // Live last: the constructor places only on live allocators, and this one is now ready.
    this.registrations = await registerLiveness(this.deps.livenessZk ?? zk, config, this.started);
    this.every(config.tickIntervalMs, () => this.kick());
    this.every(config.probeIntervalMs, () => void this.probeRound());
    this.every(
      Math.min(STARTING_PROBE_INTERVAL_MS, config.probeIntervalMs),
      () => void this.probeRound((r) => r.phase === 'starting'),
    );
  }

  async close(): Promise<void> {
    if (this.current === 'closed' || this.current === 'closing') return;
    this.transition('closing');
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const off of this.unsubscribers.splice(0)) off();
    await this.pass?.catch(() => undefined);
    await this.cache?.close();
    await this.logRequests?.close();
    await Promise.all(this.registrations.map((r) => r.close().catch(() => undefined)));
    this.registrations = [];
    this.transition('closed');
  }

  async shutdown(options: { stopInstances: boolean }): Promise<void> {
    const wasRunning = this.current === 'running';
    await this.close();
    if (options.stopInstances && wasRunning) await teardownAll(this.ctx);
  }

  instances(): InstanceRecord[] {
    return [...this.records.values()];
  }

  health(): HealthReport {
    const zkState = this.deps.zk.state;
    return {
      checks: {
        allocator: { status: this.current === 'running' ? 'ok' : 'failing', detail: this.current },
        zookeeper: { status: zkState === 'connected' ? 'ok' : 'failing', detail: zkState },
        specs: { status: this.cache?.isInitialized ? 'ok' : 'failing' },
      },
    };
  }

  // ---- events ----------------------------------------------------------------------------

  private onSpecs(): void {
    const cache = this.cache;
    if (!cache) return;
    const root = paths.allocatorInstances(this.config.id);
    const snapshot = cache.snapshot();
    const present = snapshot.has(root);
    const resumeAt = this.rootGuard.observe(present, this.clock.now(), this.records.size);
    if (resumeAt !== undefined) this.wakeAt(resumeAt);
    if (present) {
      const view = readSpecs(snapshot, root, this.config.id, this.specs, this.logger);
      this.specs = view.specs;
      this.unreadable = view.unreadable;
    }
    this.kick();
  }

  private onExit(event: ExitEvent): void {
    if (event.labels[LABELS.allocator] !== this.config.id) return;
    const instanceId = event.labels[LABELS.instance];
    const record = instanceId === undefined ? undefined : this.records.get(instanceId);
    if (!record) return;
    const now = this.clock.now();
    const exit = { code: event.exitCode, signal: event.signal, at: now };
    const next = recordExit(record, event.id, exit, this.config.backoff, now);
    if (next === record) return;
    this.records.set(record.instanceId, next);
    this.logger.warn('instance exited', {
      instance: record.instanceId,
      code: exit.code,
      signal: exit.signal,
      restartInMs: next.backoffMs,
    });
    this.kick();
  }

  private onSession(change: ZkStateChange): void {
    if (change.event !== 'reconnected' || this.current !== 'running') return;
    // Ephemerals come back by themselves; the advertisement and statuses are re-checked.
    this.logger.info('allocator resyncing after reconnect', { newSession: change.newSession });
    this.statuses.invalidate();
    writeAdvertisement(this.deps.zk, this.config, this.started).catch((err: unknown) =>
      this.logger.warn('advertisement rewrite failed', { err }),
    );
    this.kick();
  }

  // ---- the loop --------------------------------------------------------------------------

  /** Asks for a reconcile pass; passes never overlap, and a request during one runs another. */
  private kick(): void {
    if (this.current !== 'running') return;
    this.dirty = true;
    this.pass ??= this.runPasses().finally(() => {
      this.pass = undefined;
    });
  }

  private async runPasses(): Promise<void> {
    while (this.dirty && this.current === 'running') {
      this.dirty = false;
      const end = this.metrics.reconcileDuration.startTimer();
      try {
        await this.reconcileOnce();
      } catch (err) {
        this.logger.error('reconcile pass failed', { err });
      } finally {
        end();
      }
    }
  }

  private async reconcileOnce(): Promise<void> {
    this.containers = await this.listContainers();
    const now = this.clock.now();
    for (const [id, record] of observe(this.records, this.containers, this.config.backoff, now)) {
      this.logger.warn('instance found exited', { instance: id, restartInMs: record.backoffMs });
      this.records.set(id, record);
    }
    const plan = decide({
      specs: this.specs,
      unreadable: this.unreadable,
      authoritative:
        this.cache?.isInitialized === true &&
        this.deps.zk.state === 'connected' &&
        this.rootGuard.settled(now),
      records: this.records,
      containers: this.containers,
      now,
    });
    if (!isEmptyPlan(plan)) this.logger.debug('reconcile plan', summarize(plan));
    await applyPlan(this.ctx, plan);
    if (this.deps.zk.state === 'connected') await reportStatuses(this.ctx);
    if (plan.wakeAt !== undefined) this.wakeAt(plan.wakeAt);
    this.updateGauges();
  }

  private async probeRound(only?: (record: InstanceRecord) => boolean): Promise<void> {
    if (this.probing || this.current !== 'running') return;
    this.probing = true;
    try {
      const changed = await probeAll(
        {
          config: this.config,
          stacks: this.deps.stacks,
          records: this.records,
          specOf: (id) => this.specs.get(id),
          metrics: this.metrics,
          now: () => this.clock.now(),
          logger: this.logger,
        },
        only,
      );
      if (changed || this.reportPending()) this.kick();
    } catch (err) {
      this.logger.error('probe round failed', { err });
    } finally {
      this.probing = false;
    }
  }

  /** True when some record's status differs from what was written (a failed write to retry). */
  private reportPending(): boolean {
    const now = this.clock.now();
    return [...this.records.values()].some(
      (r) => r.phase !== 'stopping' && this.statuses.differs(statusOf(this.ctx, r, now)),
    );
  }

  private async listContainers(): Promise<LabelledContainer[]> {
    const infos = await this.deps.runtime.list({ [LABELS.allocator]: this.config.id });
    const now = this.clock.now();
    return infos.map((info) => toLabelled(info, now)).filter((c): c is LabelledContainer => c !== undefined);
  }

  private wakeAt(at: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => this.kick(), Math.max(0, at - this.clock.now()));
  }

  private every(ms: number, fn: () => void): void {
    this.timers.add(setInterval(fn, ms));
  }

  private updateGauges(): void {
    const counts = new Map<string, number>(INSTANCE_STATES.map((s) => [s, 0]));
    const now = this.clock.now();
    for (const record of this.records.values()) {
      const state = statusOf(this.ctx, record, now).state;
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    for (const [state, n] of counts) this.metrics.instances.set({ state }, n);
    let used = 0;
    for (const spec of this.specs.values()) used += spec.memory_mb;
    this.metrics.capacityUsed.set(used);
  }

  private transition(next: AllocatorState): void {
    this.logger.info('allocator state changed', { from: this.current, to: next });
    this.current = next;
  }
}
