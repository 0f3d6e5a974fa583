/**
 * Keeps the current {@link RouteTable}: every source event schedules an update, bursts within a
 * short window collapse into one, and each update produces a new immutable table that replaces the
 * old one in a single assignment (Helix `RoutingTableProvider`: dedup queue + `AtomicReference`).
 * Readers call `current()` per request and never see a half-applied batch.
 *
 * An update is incremental when it can be: the names of the documents changed since the last swap
 * are collected, and only those are read from the source and applied (`applyRouteChanges`, O(changed);
 * at 10,000 routes rebuilding from every document per change was most of a route's propagation
 * time in every proxy). A full build from every document happens on the first load, after the
 * source re-read everything (`resynced`: the safety-net refresh) and for sources that cannot
 * hand over one document by name.
 *
 * Unlike Helix, the table is NOT reset on session loss: ECE keeps serving existing deployments from
 * the cache while ZooKeeper is down, and so does Wharf. Only a successful rebuild replaces it.
 */
import type { Logger } from '@wharf/observability';
import type { Clock, TimerHandle } from './clock';
import type { ProxyMetrics } from './metrics';
import type { RouteSwapChange } from './route-addresses';
import type { RouteSource, RouteSourceEvent } from './route-source';
import {
  RouteMemo,
  applyRouteChanges,
  buildRouteTable,
  type RouteDocument,
  type RouteTable,
  type RouteTableBuild,
} from './route-table';

/**
 * At most one rebuild per this window. A constructor rewrites many routes in a burst (a plan
 * touching every deployment on an allocator); 10 ms bounds staleness well below anything a client
 * notices while turning a thousand events into a handful of rebuilds. The window trails the last
 * rebuild: an event after a quiet spell is applied on the next turn of the event loop (what the
 * same socket read delivered comes along), not 10 ms later — a single route change, the common
 * case, would otherwise spend half of its ~20 ms write-to-served path waiting for a burst that
 * never comes (bench/route-propagation.mjs, docs/benchmarks.md "Route propagation").
 */
export const DEFAULT_COALESCE_MS = 10;

/**
 * Full rebuild interval even without events: the safety net against a missed watch (Helix uses the
 * same 5 minutes). Cheap: a rebuild of 10k unchanged routes is a map copy (see `RouteMemo`).
 */
export const DEFAULT_REFRESH_INTERVAL_MS = 5 * 60_000;

/** Lifecycle of a {@link RouteTableCache}. */
export type RouteTableCacheState = 'idle' | 'running' | 'closed';

/** Options for {@link RouteTableCache}. */
export interface RouteTableCacheOptions {
  readonly source: RouteSource;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly clock: Clock;
  /** The proxy's zone (same-zone instances preferred). */
  readonly zone?: string | undefined;
  /** See {@link DEFAULT_COALESCE_MS}. */
  readonly coalesceMs?: number;
  /** See {@link DEFAULT_REFRESH_INTERVAL_MS}. */
  readonly refreshIntervalMs?: number;
  /**
   * Called after each swap with the new table (the balancer drops stale cursors) and, for an
   * incremental update, what changed (consumers then touch those routes only).
   */
  readonly onSwap?: (table: RouteTable, change?: RouteSwapChange) => void;
}

/** The proxy's routing table, rebuilt from a {@link RouteSource}. */
export class RouteTableCache {
  private readonly options: RouteTableCacheOptions;
  private readonly coalesceMs: number;
  private readonly refreshIntervalMs: number;
  private table: RouteTable | undefined;
  /** Routes of {@link table} without a healthy instance (kept for the next incremental update). */
  private unavailable = 0;
  /** Names changed since the last swap, applied one by one at the next update. */
  private changedNames = new Set<string>();
  /** The next update must read every document (first load, resync, a change without a name). */
  private fullPending = true;
  private stateValue: RouteTableCacheState = 'idle';
  private unsubscribe: (() => void) | undefined;
  private rebuildTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  /** When the oldest event not yet in the table arrived (for the event → swap metric). */
  private pendingSince: number | undefined;
  /** When the last rebuild ran: the next one waits until {@link coalesceMs} after it. */
  private lastRebuildAt: number | undefined;
  /** Skip reason last logged per znode name, so a bad document is logged once, not per rebuild. */
  private loggedSkips = new Map<string, string>();
  /** Routes of the last build: a full build decodes only the documents that changed since. */
  private readonly memo = new RouteMemo();

  constructor(options: RouteTableCacheOptions) {
    this.options = options;
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
  }

  /** Current lifecycle state. */
  get state(): RouteTableCacheState {
    return this.stateValue;
  }

  /** The current table, or `undefined` until the source's first complete read has been applied. */
  current(): RouteTable | undefined {
    return this.table;
  }

  /** True once a table has been built ("valid and initialised, not necessarily up to date"). */
  get initialized(): boolean {
    return this.table !== undefined;
  }

  /** Subscribes to the source and starts it. */
  async start(): Promise<void> {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'running';
    this.unsubscribe = this.options.source.subscribe((event) => this.onEvent(event));
    this.scheduleRefresh();
    await this.options.source.start();
    // A source that already had documents (static, or restarted) may not emit `initialized`.
    if (this.options.source.documents() !== undefined) this.schedule();
  }

  /** Stops timers and the source; keeps the last table readable. Idempotent. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.rebuildTimer?.cancel();
    this.refreshTimer?.cancel();
    this.rebuildTimer = this.refreshTimer = undefined;
    this.unsubscribe?.();
    await this.options.source.close();
  }

  /** Rebuilds immediately (no coalescing window); returns the table now current. */
  rebuildNow(): RouteTable | undefined {
    this.rebuildTimer?.cancel();
    this.rebuildTimer = undefined;
    this.rebuild();
    return this.table;
  }

  private onEvent(event: RouteSourceEvent): void {
    if (this.stateValue !== 'running') return;
    if (event.type === 'initialized') this.options.logger.info('route source initialised');
    if (event.type === 'changed' && event.name !== '' && this.options.source.document !== undefined) {
      this.changedNames.add(event.name);
    } else {
      this.fullPending = true;
    }
    this.schedule();
  }

  private schedule(): void {
    const now = this.options.clock.now();
    this.pendingSince ??= now;
    if (this.rebuildTimer !== undefined) return;
    const sinceLast = this.lastRebuildAt === undefined ? Infinity : now - this.lastRebuildAt;
    this.rebuildTimer = this.options.clock.setTimeout(
      () => {
        this.rebuildTimer = undefined;
        this.rebuild();
      },
      Math.max(0, this.coalesceMs - sinceLast),
    );
  }

  private rebuild(): void {
    if (this.stateValue !== 'running') return;
    const { source, metrics, logger, clock } = this.options;
    this.lastRebuildAt = clock.now();
    const documents = source.documents();
    if (documents === undefined) return; // not initialised yet: keep whatever we have (nothing)
    const previous = this.table;
    const full = previous === undefined || this.fullPending;
    const changed = this.changedNames;
    this.changedNames = new Set();
    this.fullPending = false;
    const build = full ? this.buildAll(documents) : this.applyChanged(previous, changed);
    const since = this.pendingSince;
    this.pendingSince = undefined;
    if (since !== undefined) metrics.routeTableUpdateSeconds.observe((clock.now() - since) / 1000);
    metrics.routeDocumentsSkipped.set(this.loggedSkips.size);
    // Nothing the table shows changed (the changed documents were and stay skipped): no swap, so
    // the swap's consumers do not walk 10,000 routes for nothing.
    if (build.table.routes === previous?.routes && build.table.instanceCount === previous.instanceCount)
      return;
    const { table } = build;
    this.table = table;
    this.unavailable = build.unavailable;
    metrics.routeTableRebuilds.inc();
    metrics.routeTableDeployments.set(table.routes.size);
    metrics.routeTableInstances.set(table.instanceCount);
    metrics.routeTableUnavailable.set(build.unavailable);
    const meta = {
      deployments: table.routes.size,
      instances: table.instanceCount,
      skipped: this.loggedSkips.size,
    };
    if (previous === undefined) logger.info('route table initialised', meta);
    else logger.debug('route table swapped', meta);
    this.options.onSwap?.(table, full || previous === undefined ? undefined : { previous, changed });
  }

  /** A table from every document; the skip log starts over. */
  private buildAll(documents: Iterable<RouteDocument>): RouteTableBuild {
    const build = buildRouteTable(documents, { zone: this.options.zone, memo: this.memo });
    const before = this.loggedSkips;
    this.loggedSkips = new Map();
    for (const { name, reason } of build.skipped) this.noteSkip(name, reason, before.get(name));
    return build;
  }

  /** The current table with the `changed` documents re-read and applied. */
  private applyChanged(previous: RouteTable, changed: ReadonlySet<string>): RouteTableBuild {
    const { source, zone } = this.options;
    const changes = new Map<string, RouteDocument | undefined>();
    for (const name of changed) changes.set(name, source.document?.(name));
    const base = { table: previous, unavailable: this.unavailable };
    const build = applyRouteChanges(base, changes, { zone, memo: this.memo });
    const reasons = new Map(build.skipped.map(({ name, reason }) => [name, reason]));
    for (const name of changed) {
      const before = this.loggedSkips.get(name);
      this.loggedSkips.delete(name);
      const reason = reasons.get(name);
      if (reason !== undefined) this.noteSkip(name, reason, before);
    }
    return build;
  }

  /** Records a skipped document; logs it unless it was skipped for the same reason before. */
  private noteSkip(name: string, reason: string, before: string | undefined): void {
    this.loggedSkips.set(name, reason);
    if (before !== reason) this.options.logger.warn('route document skipped', { route: name, reason });
  }

  private scheduleRefresh(): void {
    this.refreshTimer = this.options.clock.setTimeout(() => {
      if (this.stateValue !== 'running') return;
      void this.refresh().finally(() => {
        if (this.stateValue === 'running') this.scheduleRefresh();
      });
    }, this.refreshIntervalMs);
  }

  private async refresh(): Promise<void> {
    const { source, logger } = this.options;
    try {
      await source.refresh?.();
    } catch (err) {
      // The store is unreachable: keep serving the table we have, try again next interval.
      logger.warn('route refresh failed', { err });
      return;
    }
    this.fullPending = true; // the safety net: every document, whatever events were missed
    this.schedule();
  }
}
