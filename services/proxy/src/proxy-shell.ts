/**
 * The shell shared by the single-process proxy (`proxy.ts`) and the primary of a multi-process
 * one (`workers/supervisor.ts`): the route source and its {@link RouteTableCache}, the ZooKeeper
 * registration, and the lifecycle `idle → starting → running → draining → closed` with an
 * idempotent close that deregisters while it drains. What "listen" and "drain" mean is the
 * owner's: one HTTP server, or N worker processes.
 */
import type { AddressInfo } from 'node:net';
import { WharfError, assertId } from '@wharf/model';
import type { Logger } from '@wharf/observability';
import type { ZkSession } from '@wharf/zk';
import type { Clock } from './clock';
import type { ProxyMetrics } from './metrics';
import { ProxyRegistration } from './registration';
import type { RouteSource } from './route-source';
import type { RouteSwapChange } from './route-addresses';
import type { RouteTable } from './route-table';
import { RouteTableCache } from './route-table-cache';
import { TrafficFlush } from './traffic-flush';
import { TrafficMeter } from './traffic-meter';
import { ZkRouteSource } from './zk-route-source';

/** Lifecycle of a proxy (single-process or the primary of workers). */
export type ProxyState = 'idle' | 'starting' | 'running' | 'draining' | 'closed';

/** Options every proxy takes, single-process or the primary of workers. */
export interface ProxyCommonOptions {
  /** ZooKeeper session (owned by the caller): routes are watched and the proxy registered through it. */
  readonly zk?: ZkSession;
  /** Where routes come from; defaults to `/routes` in `zk`. Required when `zk` is absent. */
  readonly routeSource?: RouteSource;
  readonly logger: Logger;
  /** This proxy's id (a valid id): `/proxies/<id>`, `/services/proxy/<id>`. */
  readonly id: string;
  /** Deployments are reached at `<id>.<domain>`. Default `localhost`. */
  readonly domain?: string;
  /** This proxy's zone; instances in it are preferred. */
  readonly zone?: string;
  /** Listen address. Default `127.0.0.1`. */
  readonly host?: string;
  /** Listen port; 0 picks one. Default 9200. */
  readonly port?: number;
  /** Version reported in the registration. */
  readonly version?: string;
  readonly clock?: Clock;
  /** How often the registration's stats are refreshed (ms). */
  readonly statsIntervalMs?: number;
  /**
   * How often per-deployment traffic counts are written to ZooKeeper (`traffic-flush.ts`); 0 turns
   * traffic metering off. Default `DEFAULT_TRAFFIC_FLUSH_MS`; no metering without `zk`.
   */
  readonly trafficFlushMs?: number;
}

/** Options of a {@link ProxyShell}. */
export interface ProxyShellOptions {
  /** ZooKeeper session (owned by the caller): routes are watched and the proxy registered through it. */
  readonly zk?: ZkSession | undefined;
  /** Where routes come from; defaults to `/routes` in `zk`. Required when `zk` is absent. */
  readonly routeSource?: RouteSource | undefined;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly clock: Clock;
  /** This proxy's id (a valid id): `/proxies/<id>`, `/services/proxy/<id>`. */
  readonly id: string;
  readonly zone?: string | undefined;
  /** Version reported in the registration. */
  readonly version?: string | undefined;
  /** How often the registration's stats are refreshed (ms). */
  readonly statsIntervalMs?: number | undefined;
  /** See {@link ProxyCommonOptions.trafficFlushMs}. */
  readonly trafficFlushMs?: number | undefined;
  /** What the registration reports. */
  readonly stats: () => Record<string, number>;
  /** Called with every new routing table (and, for an incremental update, what changed). */
  readonly onSwap: (table: RouteTable, change?: RouteSwapChange) => void;
}

/** How the owner starts serving and stops. */
export interface ProxyShellHooks {
  /** Starts serving once the routing table is loaded; resolves with the address clients use. */
  readonly listen: () => Promise<AddressInfo>;
  /** Finishes in-flight work (runs while the registration is removed). */
  readonly drain: () => Promise<void>;
  /** Releases what is left after the route cache closed. */
  readonly release?: () => void;
}

/** Throws for an invalid id or zone, or without a route source; owners call it before anything else. */
export function assertShellOptions(
  options: Pick<ProxyShellOptions, 'id' | 'zone' | 'zk' | 'routeSource'>,
): void {
  assertId('proxy', options.id);
  if (options.zone !== undefined) assertId('zone', options.zone);
  if (options.zk === undefined && options.routeSource === undefined) {
    throw new WharfError('WHARF_VALIDATION', 'proxy needs a zk session or a route source');
  }
}

/** Route cache, registration and lifecycle of one proxy. */
export class ProxyShell {
  readonly source: RouteSource;
  readonly cache: RouteTableCache;
  private stateValue: ProxyState = 'idle';
  private readonly registration: ProxyRegistration | undefined;
  /** This proxy's traffic counts and their writer (with `zk`, unless metering is off). */
  readonly traffic: { readonly meter: TrafficMeter; readonly flush: TrafficFlush } | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ProxyShellOptions,
    private readonly hooks: ProxyShellHooks,
  ) {
    assertShellOptions(options);
    const zk = options.zk;
    const { logger, clock } = options;
    this.source = options.routeSource ?? new ZkRouteSource({ zk: zk!, logger });
    this.cache = new RouteTableCache({
      source: this.source,
      logger,
      metrics: options.metrics,
      clock,
      zone: options.zone,
      onSwap: options.onSwap,
    });
    this.registration =
      zk === undefined
        ? undefined
        : new ProxyRegistration({
            zk,
            id: options.id,
            zone: options.zone,
            version: options.version ?? '0.0.0',
            logger,
            clock,
            intervalMs: options.statsIntervalMs,
            stats: options.stats,
          });
    this.traffic = zk === undefined || options.trafficFlushMs === 0 ? undefined : this.createTraffic(zk);
  }

  private createTraffic(zk: ZkSession): ProxyShell['traffic'] {
    const { logger, metrics, clock, id } = this.options;
    const meter = new TrafficMeter(() => clock.now());
    const intervalMs = this.options.trafficFlushMs;
    return { meter, flush: new TrafficFlush({ zk, meter, proxyId: id, logger, metrics, clock, intervalMs }) };
  }

  /** Current lifecycle state. */
  get state(): ProxyState {
    return this.stateValue;
  }

  /** True while shutting down (responses ask clients to close their connection). */
  draining(): boolean {
    return this.stateValue === 'draining' || this.stateValue === 'closed';
  }

  /** Loads the routes, listens, registers; a failure closes everything started. */
  async start(): Promise<AddressInfo> {
    if (this.stateValue !== 'idle') throw new WharfError('WHARF_CONFLICT', `proxy is ${this.stateValue}`);
    this.transition('starting');
    try {
      await this.cache.start();
      const address = await this.hooks.listen();
      this.traffic?.flush.start();
      await this.registration?.start(address);
      this.transition('running');
      return address;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Deregisters while draining, then closes the route cache. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.stateValue === 'idle') {
      this.transition('closed');
      return;
    }
    this.transition('draining');
    // Leave discovery while draining, not before: with ZooKeeper down the delete waits for the
    // operation timeout, and that must not hold up the drain (`/_health` is already 502).
    const deregistered = this.registration
      ?.close()
      .catch((err: unknown) => this.options.logger.warn('deregistration failed', { err }));
    // The last traffic counts are written once every request has finished.
    const drained = this.hooks.drain().then(() => this.traffic?.flush.close());
    await Promise.all([deregistered, drained]);
    await this.cache.close();
    this.hooks.release?.();
    this.transition('closed');
  }

  private transition(next: ProxyState): void {
    if (next === this.stateValue) return;
    this.options.logger.info('proxy state changed', { from: this.stateValue, to: next, id: this.options.id });
    this.stateValue = next;
  }
}
