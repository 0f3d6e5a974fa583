/**
 * The proxy service: an HTTP server in front of the {@link Forwarder}, a {@link RouteTableCache}
 * fed by ZooKeeper (or any `RouteSource`), and the ephemeral registration other services
 * discover it by (both in the shared {@link ProxyShell}). Start/close with an explicit state; close
 * drains in-flight requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, Metrics } from '@wharf/observability';
import { ScrapeTokenVerifier } from '@wharf/zk';
import { Balancer } from './balancer';
import { systemClock, type Clock } from './clock';
import { Forwarder } from './forwarder';
import { HealthChecker } from './health-checker';
import { InstanceHealth } from './instance-health';
import { createProxyMetrics } from './metrics';
import { ProxyShell, assertShellOptions, type ProxyCommonOptions, type ProxyState } from './proxy-shell';
import { createRequestHandler, type RequestHandler } from './request-handler';
import type { RouteTable, RouteTarget } from './route-table';
import { normaliseDomain } from './routing-key';

export type { ProxyState } from './proxy-shell';

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

/** Options for {@link createProxy}. */
export interface ProxyOptions extends ProxyCommonOptions {
  /** The service registry (`createMetrics('proxy')`); the proxy declares its metrics on it. */
  readonly metrics: Metrics;
  /** See {@link DEFAULT_DRAIN_TIMEOUT_MS}. */
  readonly drainTimeoutMs?: number;
  /** Log one debug line per request (default true); `main.ts` enables it only at level `debug`. */
  readonly accessLog?: boolean;
  /** Upstream inactivity limit (ms); default `UPSTREAM_TIMEOUT_MS`. */
  readonly upstreamTimeoutMs?: number;
  /** Longest a request waits for its deployment to have a routable instance; default `DEFAULT_HOLD_MS`. */
  readonly holdMs?: number;
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
  /**
   * Decides whether `GET /_metrics` may be read, from its `Authorization` header; default: the
   * scrape token check against `zk` when there is one, else every scrape may (a worker).
   */
  readonly authorizeMetrics?: (authorization: string | undefined) => Promise<boolean>;
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
  private readonly options: ProxyOptions;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly shell: ProxyShell;
  private readonly forwarder: Forwarder;
  private readonly server: http.Server;
  private readonly handler: RequestHandler;
  private readonly healthChecker: HealthChecker | undefined;
  private readonly authorizeMetrics: (authorization: string | undefined) => Promise<boolean>;

  constructor(options: ProxyOptions) {
    assertShellOptions(options);
    this.options = options;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    const metrics = createProxyMetrics(options.metrics);
    const health = options.instanceHealth ?? new InstanceHealth();
    const balancer = new Balancer({ health });
    this.healthChecker =
      options.activeHealthChecks === false
        ? undefined
        : new HealthChecker({ health, clock: this.clock, logger: this.logger });
    this.shell = new ProxyShell(
      {
        ...options,
        metrics,
        clock: this.clock,
        onSwap: (table) => {
          balancer.retain(table.routes);
          health.retain(table);
          this.forwarder.retain(table);
        },
        stats: () => this.stats(),
      },
      {
        listen: () => {
          this.healthChecker?.start();
          return this.listen();
        },
        drain: () => this.drain(),
        release: () => {
          this.healthChecker?.close();
          this.forwarder.close();
        },
      },
    );
    const draining = (): boolean => this.shell.draining();
    this.forwarder = new Forwarder({
      balancer,
      logger: this.logger,
      metrics,
      clock: this.clock,
      draining,
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      onInstanceDown: options.onInstanceDown,
    });
    const zk = options.zk;
    const scrapeTokens = zk === undefined ? undefined : new ScrapeTokenVerifier(zk, { logger: this.logger });
    this.authorizeMetrics =
      options.authorizeMetrics ??
      (scrapeTokens === undefined ? () => Promise.resolve(true) : (a) => scrapeTokens.allows(a));
    this.handler = createRequestHandler({
      domain: normaliseDomain(options.domain ?? 'localhost'),
      table: () => this.shell.cache.current(),
      healthy: () => this.shell.state === 'running' && this.shell.cache.initialized,
      draining,
      serveMetrics: (req, res) => this.serveMetrics(req, res),
      forwarder: this.forwarder,
      logger: this.logger,
      metrics,
      clock: this.clock,
      accessLog: options.accessLog,
      holdMs: options.holdMs,
    });
    this.server = http.createServer(
      { keepAliveTimeout: CLIENT_KEEP_ALIVE_TIMEOUT_MS, headersTimeout: CLIENT_HEADERS_TIMEOUT_MS },
      this.handler.listener,
    );
  }

  get state(): ProxyState {
    return this.shell.state;
  }

  table(): RouteTable | undefined {
    return this.shell.cache.current();
  }

  start(): Promise<AddressInfo> {
    return this.shell.start();
  }

  close(): Promise<void> {
    return this.shell.close();
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

  private serveMetrics(req: http.IncomingMessage, res: http.ServerResponse): void {
    void this.authorizeMetrics(req.headers.authorization).then(
      (allowed) => {
        if (allowed) return this.writeMetrics(res);
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ error: { code: 'WHARF_UNAUTHORIZED', message: 'invalid scrape token' } }));
      },
      (err: unknown) => {
        this.logger.error('scrape authorization failed', { err });
        res.statusCode = 401;
        res.end();
      },
    );
  }

  private writeMetrics(res: http.ServerResponse): void {
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
    const table = this.shell.cache.current();
    return {
      requests: this.handler.received(),
      in_flight: this.handler.inFlight(),
      deployments: table?.routes.size ?? 0,
      instances: table?.instanceCount ?? 0,
    };
  }
}
