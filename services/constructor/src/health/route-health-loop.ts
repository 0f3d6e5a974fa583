/**
 * The leader's route health loop: one debounced {@link syncRoutes} pass at a time, run when
 * statuses, routes or allocator presence change, and woken by a single timer when the earliest
 * allocator grace runs out (no polling). It owns the term's {@link AllocatorLossTracker}, so the
 * attempts' route writes see the same presence as the health passes.
 *
 * States: inactive (created, or closed) → active (`start`) → inactive (`close`, idempotent).
 */
import { type EventSink } from '../events/sink';
import { type Logger } from '@wharf/observability';
import { type RouteEntry } from '@wharf/model';
import { type ConstructorClock } from '../clock';
import { type PresenceOf } from '../core/allocator-loss';
import { type ObservedState } from '../core/observed';
import { type ZkPort } from '../io/zk-port';
import { type ConstructorMetrics } from '../metrics';
import { type StackResolver } from '../stack-port';
import { AllocatorLossTracker } from './loss-tracker';
import { syncRoutes, type RouteNode } from './route-health';

/** Dependencies of a {@link RouteHealthLoop}. */
export interface RouteHealthLoopDeps {
  zk: ZkPort;
  logger: Logger;
  metrics: ConstructorMetrics;
  stacks: StackResolver;
  clock: ConstructorClock;
  /** Pause between the first change of a burst and the pass it triggers. */
  debounceMs: number;
  /** How long an allocator may be without its live node before its instances become unroutable. */
  allocatorLossGraceMs: number;
  /** Where a lost allocator is reported. */
  events?: EventSink;
  /** Aborted when the leadership term ends: pending sleeps stop. */
  signal: AbortSignal;
}

/** What a pass reads: the loaded caches. */
export interface RouteHealthSource {
  /** False until both the routes and the allocators caches are loaded. */
  ready(): boolean;
  routes(): ReadonlyMap<string, RouteNode>;
  /** Parses a cached route (memoised per buffer: a pass re-reads every route, most unchanged). */
  parseRoute?(path: string, data: Buffer): RouteEntry | undefined;
  observed(): ObservedState;
  /** Instances active attempts are draining: never made routable (`core/drain.ts`). */
  draining(): ReadonlySet<string>;
}

/** Route health for one leadership term. */
export class RouteHealthLoop {
  private readonly loss: AllocatorLossTracker;
  private source: RouteHealthSource | undefined;
  private active = false;
  private queued = false;
  private running: Promise<void> = Promise.resolve();
  /** When the earliest pending allocator loss wake-up fires (one timer for the earliest deadline). */
  private lossWakeAt: number | undefined;

  constructor(private readonly deps: RouteHealthLoopDeps) {
    this.loss = new AllocatorLossTracker({
      logger: deps.logger,
      metrics: deps.metrics,
      graceMs: deps.allocatorLossGraceMs,
      ...(deps.events ? { events: deps.events } : {}),
    });
  }

  /** Starts running passes over `source` (the caches are loaded). */
  start(source: RouteHealthSource): void {
    this.source = source;
    this.active = true;
  }

  /** Waits for a pass under way and stops. Idempotent. */
  async close(): Promise<void> {
    this.active = false;
    await this.running;
    this.deps.metrics.allocatorsLost.set(0);
  }

  /** Folds in a changed `/allocators` view, before any debounce: a live node's loss is timed from now. */
  allocatorsChanged(view: ObservedState): void {
    this.wakeForLoss(this.loss.observe(view, this.deps.clock.now()));
  }

  /** Whether each allocator is live, briefly gone, or lost, as of `now`. */
  presence(now: number): PresenceOf {
    return this.loss.presence(now);
  }

  /** Since when each allocator has been away (empty during a mass loss), for recovery. */
  awaySince(): ReadonlyMap<string, number> {
    return this.loss.awaySince();
  }

  /** Runs a pass after the debounce, once per burst, never two at once. */
  queue(): void {
    if (this.queued || !this.active) return;
    this.queued = true;
    void this.deps.clock.sleep(this.deps.debounceMs, this.deps.signal).then(() => {
      this.queued = false;
      if (!this.active) return;
      this.running = this.running
        .then(() => this.pass())
        .then(
          () => undefined,
          (err: unknown) => this.deps.logger.warn('route health sync failed', { err }),
        );
    });
  }

  /** One pass; never judges health from an empty view (every instance would look down). */
  private pass(): Promise<number> {
    const source = this.source;
    if (!source?.ready()) return Promise.resolve(0);
    const now = this.deps.clock.now();
    this.wakeForLoss(this.loss.settle(now));
    return syncRoutes(
      { ...this.deps, now: () => now },
      source.routes(),
      source.observed(),
      this.loss.presence(now),
      source.draining(),
      source.parseRoute,
    );
  }

  /** Queues a pass when an allocator's grace runs out: one timer, for the earliest deadline. */
  private wakeForLoss(at: number | undefined): void {
    if (at === undefined || this.deps.signal.aborted) return;
    if (this.lossWakeAt !== undefined && this.lossWakeAt <= at) return;
    this.lossWakeAt = at;
    void this.deps.clock.sleep(at - this.deps.clock.now(), this.deps.signal).then(() => {
      if (this.lossWakeAt !== at) return; // superseded by an earlier deadline, which re-arms
      this.lossWakeAt = undefined;
      this.queue();
    });
  }
}
