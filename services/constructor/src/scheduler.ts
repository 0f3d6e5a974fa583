/**
 * The leader's work loop: tree caches over `/allocators`, `/deployments` and `/routes`; one attempt
 * runner per deployment that needs one; route health kept in sync with statuses and allocator
 * liveness (a lost allocator's instances unroutable after a grace); a slow safety resync. Started
 * when this constructor becomes leader, stopped (runners aborted, caches closed) the moment it is
 * not: the attempts stay persisted for whoever leads next.
 */
import { paths } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { TreeCache, type TreeCacheEvent, type ZkSession } from '@wharf/zk';
import { runAttempt, type RunResult } from './apply/attempt-runner';
import { ChangeSignal } from './apply/change-signal';
import { finishDeletion } from './apply/finish-deletion';
import { configurationsFrom } from './apply/reads';
import { type RunnerDeps } from './apply/runner-deps';
import { type ConstructorClock } from './clock';
import { decideWork, type DeploymentWork } from './core/decide';
import { type DeploymentView, type ObservedState } from './core/observed';
import { drainingInstances } from './core/drain';
import { reportingAttempts } from './io/attempt-reporting';
import { type CachedPlanNodes, DeploymentsIndex, slotOf } from './io/deployments-index';
import { ObservedIndex } from './io/observed-index';
import { MemoParser } from './io/tree-views';
import { type ConstructorMetrics } from './metrics';
import { type ConstructorTiming } from './options';
import { RecoveryLoop } from './health/recovery-loop';
import { RouteHealthLoop } from './health/route-health-loop';
import { type StackResolver } from './stack-port';
import { type EventSink } from './events/sink';

/** `idle` (not leading), `starting` (loading caches), `leading`, `stopping`. */
export type SchedulerState = 'idle' | 'starting' | 'leading' | 'stopping';

/** Dependencies of a {@link Scheduler}. */
export interface SchedulerDeps {
  zk: ZkSession;
  id: string;
  stacks: StackResolver;
  logger: Logger;
  metrics: ConstructorMetrics;
  clock: ConstructorClock;
  timing: Readonly<ConstructorTiming>;
  /** Where trouble is reported (`events/`); none: not reported. */
  events?: EventSink;
}

/** Depth of `/allocators/<a>/{instances,status}/<i>`. */
const ALLOCATORS_DEPTH = 3;
/** Depth of `/deployments/<d>/plan/{pending,attempt}`. */
const DEPLOYMENTS_DEPTH = 3;
/** Plan children the scheduler caches (history and current are read on demand). */
const WATCHED_PLAN_NODES = new Set(['pending', 'attempt']);

/**
 * Whether the deployments cache watches a node's data: not the attempt's. Why: only the leader
 * writes `plan/attempt` (the api reads it), each save came back as a watch event and a getData of
 * bytes the leader had just written (4,487 reads for 5,615 saves in the fleet bench), and the
 * runners' port reports every write's bytes and returned version (`io/attempt-reporting.ts`). A new term's cache
 * reads every attempt once as it loads (takeover), a reconnect's reload reads them again, and
 * an attempt node's creation and removal still arrive through the plan node's child watch. A
 * write by anyone else (a deposed leader's last save) is not seen as it happens: every attempt
 * write is conditional on the version, so the leader's next write to it fails, the runner reads
 * it fresh and reports that read; until then the leader's view holds its own last write.
 */
function watchesData(path: string, depth: number): boolean {
  return depth < DEPLOYMENTS_DEPTH || !path.endsWith('/attempt');
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/** Feeds a cache's per-node events (and its first full load) into an incremental index. */
function follow(cache: TreeCache, index: ObservedIndex | DeploymentsIndex): void {
  // Registered before the cache's own `changed` listeners: the index is current when they run.
  cache.on('initialized', (nodes) => index.load(nodes));
  const put = (e: TreeCacheEvent): void => index.put(e.path, e.node.data, e.node.stat.version);
  cache.on('added', put);
  cache.on('updated', put);
  cache.on('removed', (e) => index.remove(e.path));
}

/** The configurations as the cache holds them; undefined before it loaded (then they are read). */
function cachedConfigurations(cache: TreeCache, parser: MemoParser): RunnerDeps['cachedConfigurations'] {
  return (ids) => {
    if (!cache.isInitialized) return undefined;
    return configurationsFrom(ids, (path) => {
      const node = cache.get(path);
      return node && parser.parse('instance-configuration', path, node.data);
    });
  };
}

/** One leadership term's work. Create a new one per term. */
export class Scheduler {
  private current: SchedulerState = 'idle';
  private readonly controller = new AbortController();
  private readonly runners = new Map<string, Running>();
  private readonly retryAt = new Map<string, number>();
  /**
   * Attempts this leader finished, by the version of their final write, until the cache shows
   * that version: before then the cached attempt still reads running, and a runner started for it
   * would only re-read ZooKeeper to find nothing to do.
   */
  private readonly settled = new Map<string, { version: number; planId: string }>();
  private readonly caches: TreeCache[] = [];
  private readonly changes: ChangeSignal;
  private reconcileQueued = false;
  /** Deployments whose pending plan just changed, reconciled on the next turn (see {@link planChanged}). */
  private readonly planChanges = new Set<string>();
  private readonly health: RouteHealthLoop;
  private readonly recovery: RecoveryLoop;

  constructor(private readonly deps: SchedulerDeps) {
    this.changes = new ChangeSignal(deps.clock);
    this.health = new RouteHealthLoop({
      ...deps,
      debounceMs: deps.timing.routeHealthDebounceMs,
      allocatorLossGraceMs: deps.timing.allocatorLossGraceMs,
      signal: this.controller.signal,
    });
    this.recovery = new RecoveryLoop({
      ...deps,
      graceMs: deps.timing.allocatorRecoverGraceMs,
      debounceMs: deps.timing.routeHealthDebounceMs,
      signal: this.controller.signal,
    });
  }

  /** The scheduler's state. */
  get state(): SchedulerState {
    return this.current;
  }

  /** Loads the caches and starts driving deployments. */
  async start(): Promise<void> {
    if (this.current !== 'idle') return;
    this.current = 'starting';
    const { zk, logger } = this.deps;
    const parser = new MemoParser(logger);
    const allocators = new TreeCache(zk, paths.allocators(), { depth: ALLOCATORS_DEPTH, logger });
    const deployments = new TreeCache(zk, paths.deployments(), {
      depth: DEPLOYMENTS_DEPTH,
      logger,
      filter: (path, depth) =>
        depth < DEPLOYMENTS_DEPTH || WATCHED_PLAN_NODES.has(path.slice(path.lastIndexOf('/') + 1)),
      watchData: watchesData,
    });
    const routes = new TreeCache(zk, paths.routes(), { depth: 1, logger });
    // Every plan's validation needs its configurations: read once per change, not once per plan.
    const configurations = new TreeCache(zk, paths.instanceConfigurations(), { depth: 1, logger });
    this.caches.push(allocators, deployments, routes, configurations);
    const index = new ObservedIndex(parser.parse, () => this.deps.clock.now());
    const deploymentsIndex = new DeploymentsIndex(parser.parse);
    const observed = (): ObservedState => index.view;
    const views = (): ReadonlyMap<string, DeploymentView> => deploymentsIndex.current();
    follow(allocators, index);
    follow(deployments, deploymentsIndex);
    for (const cache of [allocators, deployments, routes, configurations])
      cache.on('removed', (e) => parser.forget(e.path));
    this.wakeWaiters(allocators, deployments);
    let presenceSeen = -1;
    // `initialized` too: a first load that failed (ZooKeeper away) completes later, after start().
    // `batch`, not `changed`: a `changed` listener makes the cache copy its whole map per batch.
    for (const event of ['initialized', 'batch'] as const) {
      allocators.on(event, () => {
        // Before the debounce: a live node's disappearance is timed from when it was seen. Only
        // when an allocator's presence changed: status writes are most events and change none.
        if (index.presenceVersion !== presenceSeen) {
          presenceSeen = index.presenceVersion;
          this.health.allocatorsChanged(observed());
        }
        this.onChange(true);
      });
      deployments.on(event, () => this.onChange(false));
      routes.on(event, () => this.health.queue());
    }
    await Promise.all(this.caches.map((c) => c.start()));
    if (this.controller.signal.aborted) return;
    this.current = 'leading';
    const runnerDeps = this.runnerDeps(observed, views, index);
    runnerDeps.planNodes = (d) => deploymentsIndex.planNodes(d);
    runnerDeps.wrote = (path, data) => parser.wrote(path, data);
    this.reportAttempts(runnerDeps, deploymentsIndex);
    this.cachedAttempt = (d) => deploymentsIndex.planNodes(d)?.attempt;
    runnerDeps.cachedRoute = (d) => {
      if (!routes.isInitialized) return undefined;
      const node = routes.get(paths.route(d));
      return node
        ? { route: parser.parse('route', paths.route(d), node.data), version: node.stat.version }
        : null;
    };
    runnerDeps.cachedConfigurations = cachedConfigurations(configurations, parser);
    this.reconcile = (only) => this.reconcileWith(views, runnerDeps, only);
    this.health.start({
      ready: () => allocators.isInitialized && routes.isInitialized,
      routes: () => routes.snapshot(),
      parseRoute: (path, data) => parser.parse('route', path, data),
      observed,
      draining: () => drainingInstances(views().values()),
    });
    this.recovery.start({
      ready: () => allocators.isInitialized && deployments.isInitialized,
      observed,
      deployments: views,
      awaySince: () => this.health.awaySince(),
    });
    logger.info('scheduler leading', { deployments: views().size, allocators: observed().allocators.size });
    this.reconcile(); // at once: a new leader resumes the attempts it takes over without the debounce
    this.health.queue();
    void this.resyncLoop();
  }

  /** Aborts every runner, waits for them to stop, closes the caches. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'stopping' || this.controller.signal.aborted) return;
    this.current = 'stopping';
    this.controller.abort();
    const health = Promise.all([this.health.close(), this.recovery.close()]);
    for (const r of this.runners.values()) r.controller.abort();
    await Promise.all([...this.runners.values()].map((r) => r.done));
    await health;
    await Promise.all(this.caches.map((c) => c.close()));
    this.current = 'idle';
    this.deps.logger.info('scheduler stopped');
  }

  /** One pass over every deployment, or over `only` (their ids). */
  private reconcile: (only?: readonly string[]) => void = () => undefined;
  private cachedAttempt: (d: string) => CachedPlanNodes['attempt'] = () => undefined;

  private runnerDeps(
    observed: RunnerDeps['observed'],
    views: () => ReadonlyMap<string, { pending?: { plan_id: string } }>,
    index: ObservedIndex,
  ): RunnerDeps {
    return {
      ...this.deps,
      observed,
      index,
      changes: this.changes,
      leaderId: this.deps.id,
      pendingPlanId: (d) => views().get(d)?.pending?.plan_id,
      planNodes: () => undefined,
      cachedRoute: () => undefined,
      cachedConfigurations: () => undefined,
      attemptSettled: (d, version, planId) => this.settled.set(d, { version, planId }),
      wrote: () => undefined,
      allocatorPresence: (a) => this.health.presence(this.deps.clock.now())(a),
    };
  }

  /**
   * The attempt nodes the runners write or read fresh keep the leader's view of them current
   * (they are not watched: {@link watchesData}); each report also does what the attempt's watch
   * event did (reconcile and recovery look again).
   */
  private reportAttempts(runnerDeps: RunnerDeps, index: DeploymentsIndex): void {
    runnerDeps.zk = reportingAttempts(runnerDeps.zk, (path, data, version) => {
      index.known(path, data, version);
      this.onChange(false);
    });
  }

  /**
   * Wakes the attempts a node event concerns (after the indexes took it in: `follow` listens
   * first): a spec or status wakes its deployment's waiters, a plan or attempt node its own, an
   * allocator's advertisement or live node every waiter (presence decides what some waits expect);
   * a pending plan written also has its deployment looked at on the next turn ({@link planChanged}).
   */
  private wakeWaiters(allocators: TreeCache, deployments: TreeCache): void {
    const onAllocatorNode = (e: { path: string }): void => {
      const [, , , sub, instance] = e.path.split('/', 5);
      if (instance !== undefined && (sub === 'instances' || sub === 'status'))
        this.changes.notifyInstance(instance);
      else if (sub === undefined || sub === 'live') this.changes.notify();
    };
    const onDeploymentNode = (e: { path: string }): void => {
      const [, , id] = e.path.split('/', 4);
      if (id !== undefined) this.changes.notifyDeployment(id);
    };
    for (const event of ['added', 'updated', 'removed'] as const) {
      allocators.on(event, onAllocatorNode);
      deployments.on(event, onDeploymentNode);
      // After `follow` (the index holds the plan already): a new plan starts without the debounce.
      if (event !== 'removed') deployments.on(event, (e) => this.planChanged(e.path));
    }
    for (const cache of [allocators, deployments]) cache.on('initialized', () => this.changes.notify());
  }

  private onChange(statuses: boolean): void {
    this.queueReconcile();
    this.recovery.queue();
    if (statuses) this.health.queue();
  }

  /**
   * A pending plan written (`/deployments/<d>/plan/pending` added or updated): that deployment
   * is looked at on the next turn instead of after the debounce. Why: the debounce coalesces the
   * bursts of attempt and status events into one pass over every deployment, but a new plan
   * arrives alone (the api writes it in one transaction, and the cache reports the pending node
   * last) and waited the whole debounce for nothing: ~50 of the ~80 ms between the api's 201
   * and the attempt's start (docs/benchmarks.md, third pass). Looking at the deployments named
   * costs one `decideWork` each, so no coalescing window is needed for them; the debounced pass
   * still runs (a runner already launched is skipped there).
   */
  private planChanged(path: string): void {
    const at = slotOf(path);
    if (at?.slot !== 'pending' || this.current !== 'leading') return;
    const d = at.id;
    const queued = this.planChanges.size > 0;
    this.planChanges.add(d);
    if (queued) return; // the turn queued already takes this one too
    void this.deps.clock.sleep(0, this.controller.signal).then(() => {
      const ids = [...this.planChanges];
      this.planChanges.clear();
      if (this.current === 'leading') this.reconcile(ids);
    });
  }

  /** Runs a reconcile pass after the debounce, once per burst. */
  private queueReconcile(): void {
    if (this.reconcileQueued || this.current !== 'leading') return;
    this.reconcileQueued = true;
    void this.deps.clock.sleep(this.deps.timing.reconcileDebounceMs, this.controller.signal).then(() => {
      this.reconcileQueued = false;
      if (this.current === 'leading') this.reconcile();
    });
  }

  private reconcileWith(
    views: () => ReadonlyMap<string, Parameters<typeof decideWork>[0]>,
    runnerDeps: RunnerDeps,
    only?: readonly string[],
  ): void {
    const now = this.deps.clock.now();
    const all = views();
    const chosen = only === undefined ? all.values() : only.flatMap((d) => all.get(d) ?? []);
    for (const view of chosen) {
      if (this.runners.has(view.id) || (this.retryAt.get(view.id) ?? 0) > now) continue;
      if (this.behindOwnWrite(view.id)) continue;
      const work = decideWork(view);
      if (work) this.launch(view.id, work, runnerDeps);
    }
  }

  /** True while the cache still shows the attempt this leader just finished (its event queues the next pass). */
  private behindOwnWrite(d: string): boolean {
    const settled = this.settled.get(d);
    if (settled === undefined) return false;
    const cached = this.cachedAttempt(d);
    if (cached && cached.value?.plan_id === settled.planId && cached.version < settled.version) return true;
    this.settled.delete(d);
    return false;
  }

  private launch(d: string, work: DeploymentWork, runnerDeps: RunnerDeps): void {
    const controller = new AbortController();
    const { logger, timing, clock } = this.deps;
    const task: Promise<RunResult> =
      work === 'attempt' ? runAttempt(runnerDeps, d, controller.signal) : finishDeletion(runnerDeps, d);
    const done = task
      .then((result) => {
        if (result === 'interrupted') this.retryLater(d, clock.now() + timing.retryMs);
      })
      .catch((err: unknown) => {
        logger.error('deployment task failed', { deployment: d, work, err });
        this.retryLater(d, clock.now() + timing.retryMs);
      })
      .finally(() => {
        this.runners.delete(d);
        this.queueReconcile();
      });
    this.runners.set(d, { controller, done });
  }

  private retryLater(d: string, at: number): void {
    if (this.current !== 'leading') return;
    this.retryAt.set(d, at);
    void this.deps.clock.sleep(at - this.deps.clock.now(), this.controller.signal).then(() => {
      this.retryAt.delete(d);
      this.queueReconcile();
    });
  }

  private async resyncLoop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await this.deps.clock.sleep(this.deps.timing.resyncMs, signal);
      if (signal.aborted || this.current !== 'leading') return;
      this.deps.metrics.resyncs.inc();
      this.changes.notify();
      this.queueReconcile();
      this.health.queue();
      this.recovery.queue();
    }
  }
}
