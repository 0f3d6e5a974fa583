/**
 * The proxy service: an HTTP server in front of the {@link Forwarder}, a {@link RouteTableCache}
 * fed by ZooKeeper (or any {@link RouteSource}), and the ephemeral registration other services
 * discover it by. Start/close with an explicit state; close drains in-flight requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WharfError, assertId } from '@wharf/model';
import type { Logger, Metrics } from '@wharf/observability';
import type { ZkSession } from '@wharf/zk';
import { Balancer } from './balancer';
import { systemClock, type Clock } from './clock';
import { Forwarder } from './forwarder';
import { HealthChecker } from './health-checker';
import { InstanceHealth } from './instance-health';
import { createProxyMetrics, type ProxyMetrics } from './metrics';
import { ProxyRegistration } from './registration';
import { createRequestHandler, type RequestHandler } from './request-handler';
import type { RouteSource } from './route-source';
import { RouteTableCache } from './route-table-cache';
import type { RouteTable, RouteTarget } from './route-table';
import { normaliseDomain } from './routing-key';
import { ZkRouteSource } from './zk-route-source';

/**
 * How long `close()` waits for in-flight requests before cutting their connections. Most requests
 * finish in milliseconds; 10 s lets slow ones complete and still fits inside the 30 s a container
 * runtime waits between SIGTERM and SIGKILL.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/**
 * Client keep-alive idle timeout. Above the 60 s idle timeout load balancers commonly use, so the
 * balancer, not the proxy, closes idle connections (otherwise it may reuse one the proxy is closing).
 */
export const CLIENT_KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Must exceed the keep-alive timeout (Node closes a socket whose next request's headers are late). */
const CLIENT_HEADERS_TIMEOUT_MS = CLIENT_KEEP_ALIVE_TIMEOUT_MS + 1_000;
/** How often the drain loop checks whether every in-flight request has finished. */
const DRAIN_POLL_MS = 20;

/** Lifecycle of a {@link WharfProxy}. */
export type ProxyState = 'idle' | 'starting' | 'running' | 'draining' | 'closed';

/** Options for {@link createProxy}. */
export interface ProxyOptions {
  /** ZooKeeper session (owned by the caller): routes are watched and the proxy registered through it. */
  readonly zk?: ZkSession;
  /** Where routes come from; defaults to `/routes` in `zk`. Required when `zk` is absent. */
  readonly routeSource?: RouteSource;
  readonly logger: Logger;
  /** The service registry (`createMetrics('proxy')`); the proxy declares its metrics on it. */
  readonly metrics: Metrics;
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
  /** See {@link DEFAULT_DRAIN_TIMEOUT_MS}. */
  readonly drainTimeoutMs?: number;
  /** How often the registration's stats are refreshed (ms). */
  readonly statsIntervalMs?: number;
  /** Log one debug line per request (default true); `main.ts` enables it only at level `debug`. */
  readonly accessLog?: boolean;
  /** Upstream inactivity limit (ms); default `UPSTREAM_TIMEOUT_MS`. */
  readonly upstreamTimeoutMs?: number;
  /**
   * The text `GET /_metrics` answers; default: this process's registry. A worker of a multi-process
   * proxy asks its primary, which merges every worker's registry (`metrics-aggregate.ts`).
   */
  readonly metricsText?: () => Promise<string>;
  /** The instances held down; default a fresh set. A worker passes the one its primary updates. */
  readonly instanceHealth?: InstanceHealth;
  /**
   * Run active health checks that bring down instances back (default true). A worker leaves them
   * to its primary, which relays the results.
   */
  readonly activeHealthChecks?: boolean;
  /** Called when this process marks an instance down (a worker relays it to its primary). */
  readonly onInstanceDown?: (target: RouteTarget, reason: string) => void;
}

/** Request counters of one proxy process. */
export interface ProxyCounters {
  /** Requests received since start. */
  readonly requests: number;
  /** Requests received and not yet finished or aborted. */
  readonly inFlight: number;
}

/** A running proxy. */
export interface WharfProxy {
  /** Current lifecycle state. */
  readonly state: ProxyState;
  /** The current routing table (`undefined` until initialised). */
  table(): RouteTable | undefined;
  /** Starts routing and listening; resolves with the bound address. */
  start(): Promise<AddressInfo>;
  /** Stops accepting, drains in-flight requests (up to the deadline), deregisters. Idempotent. */
  close(): Promise<void>;
  /** Request counters (what the registration's `stats` report). */
  counters(): ProxyCounters;
}

/** Creates a proxy; nothing runs until `start()`. */
export function createProxy(options: ProxyOptions): WharfProxy {
  return new ProxyService(options);
}

class ProxyService implements WharfProxy {
  private stateValue: ProxyState = 'idle';
  private readonly options: ProxyOptions;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly metrics: ProxyMetrics;
  private readonly cache: RouteTableCache;
  private readonly forwarder: Forwarder;
  private readonly server: http.Server;
  private readonly registration: ProxyRegistration | undefined;
  private readonly handler: RequestHandler;
  private readonly healthChecker: HealthChecker | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ProxyOptions) {
    assertId('proxy', options.id);
    if (options.zone !== undefined) assertId('zone', options.zone);
    const zk = options.zk;
    if (zk === undefined && options.routeSource === undefined) {
      throw new WharfError('WHARF_VALIDATION', 'proxy needs a zk session or a route source');
    }
    this.options = options;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.metrics = createProxyMetrics(options.metrics);
    const health = options.instanceHealth ?? new InstanceHealth();
    const balancer = new Balancer({ health });
    const source = options.routeSource ?? new ZkRouteSource({ zk: zk!, logger: this.logger });
    this.cache = new RouteTableCache({
      source,
      logger: this.logger,
      metrics: this.metrics,
      clock: this.clock,
      zone: options.zone,
      onSwap: (table) => {
        balancer.retain(table.routes);
        health.retain(table);
        this.forwarder?.retain(table);
      },
    });
    this.healthChecker =
      options.activeHealthChecks === false
        ? undefined
        : new HealthChecker({ health, clock: this.clock, logger: this.logger });
    const draining = (): boolean => this.stateValue === 'draining' || this.stateValue === 'closed';
    this.forwarder = new Forwarder({
      balancer,
      logger: this.logger,
      metrics: this.metrics,
      clock: this.clock,
      draining,
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      onInstanceDown: options.onInstanceDown,
    });
    this.handler = createRequestHandler({
      domain: normaliseDomain(options.domain ?? 'localhost'),
      table: () => this.cache.current(),
      healthy: () => this.stateValue === 'running' && this.cache.initialized,
      draining,
      serveMetrics: (_req, res) => this.serveMetrics(res),
      forwarder: this.forwarder,
      logger: this.logger,
      metrics: this.metrics,
      clock: this.clock,
      accessLog: options.accessLog,
    });
    this.server = http.createServer(
      { keepAliveTimeout: CLIENT_KEEP_ALIVE_TIMEOUT_MS, headersTimeout: CLIENT_HEADERS_TIMEOUT_MS },
      this.handler.listener,
    );
    this.registration =
      zk === undefined
        ? undefined
        : new ProxyRegistration({
            zk,
            id: options.id,
            zone: options.zone,
            version: options.version ?? '0.0.0',
            logger: this.logger,
            clock: this.clock,
            intervalMs: options.statsIntervalMs,
            stats: () => this.stats(),
          });
  }

  get state(): ProxyState {
    return this.stateValue;
  }

  table(): RouteTable | undefined {
    return this.cache.current();
  }

  async start(): Promise<AddressInfo> {
    if (this.stateValue !== 'idle') throw new WharfError('WHARF_CONFLICT', `proxy is ${this.stateValue}`);
    this.transition('starting');
    try {
      await this.cache.start();
      this.healthChecker?.start();
      const address = await this.listen();
      await this.registration?.start(address);
      this.transition('running');
      return address;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

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
      .catch((err: unknown) => this.logger.warn('deregistration failed', { err }));
    await Promise.all([deregistered, this.drain()]);
    this.healthChecker?.close();
    await this.cache.close();
    this.forwarder.close();
    this.transition('closed');
  }

  private async drain(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = this.clock.monotonic() + (this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    while (this.handler.inFlight() > 0 && this.clock.monotonic() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, DRAIN_POLL_MS));
      this.server.closeIdleConnections();
    }
    const left = this.handler.inFlight();
    if (left > 0) this.logger.warn('drain deadline passed', { in_flight: left });
    this.server.closeAllConnections();
    await closed;
  }

  private listen(): Promise<AddressInfo> {
    const { host = '127.0.0.1', port = 9200 } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.logger.error('proxy server error', { err }));
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  counters(): ProxyCounters {
    return { requests: this.handler.received(), inFlight: this.handler.inFlight() };
  }

  private serveMetrics(res: http.ServerResponse): void {
    const registry = this.options.metrics.registry;
    (this.options.metricsText ?? (() => registry.metrics()))().then(
      (text) => {
        res.setHeader('content-type', registry.contentType);
        res.end(text);
      },
      (err: unknown) => {
        this.logger.error('metrics collection failed', { err });
        res.statusCode = 500;
        res.end();
      },
    );
  }

  private stats(): Record<string, number> {
    const table = this.cache.current();
    return {
      requests: this.handler.received(),
      in_flight: this.handler.inFlight(),
      deployments: table?.routes.size ?? 0,
      instances: table?.instanceCount ?? 0,
    };
  }

  private transition(next: ProxyState): void {
    if (next === this.stateValue) return;
    this.logger.info('proxy state changed', { from: this.stateValue, to: next, id: this.options.id });
    this.stateValue = next;
  }
}
