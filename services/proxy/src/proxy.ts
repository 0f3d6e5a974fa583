/**
 * The proxy service: an HTTP server in front of the {@link Forwarder}, a {@link RouteTableCache}
 * fed by ZooKeeper (or any `RouteSource`), and the ephemeral registration other services
 * discover it by (both in the shared {@link ProxyShell}). Start/close with an explicit state; close
 * drains in-flight requests.
 */
import type http from 'node:http';
import type { Http2Session } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import type tls from 'node:tls';
import type { Logger, Metrics } from '@wharf/observability';
import { ScrapeTokenVerifier } from '@wharf/zk';
import { Balancer } from './balancer';
import { systemClock, type Clock } from './clock';
import { Forwarder } from './forwarder';
import { createProxyServers } from './front-door';
import { GrpcForwarder } from './grpc-forwarder';
import { H2Upstreams } from './h2-upstreams';
import type { ProxyDataPlane } from './haproxy/data-plane';
import { HealthChecker } from './health-checker';
import { InstanceHealth } from './instance-health';
import { createProxyMetrics, type ProxyMetrics } from './metrics';
import { ProxyShell, assertShellOptions, type ProxyCommonOptions, type ProxyState } from './proxy-shell';
import { createRequestHandler, type RequestHandler } from './request-handler';
import type { RouteTable, RouteTarget } from './route-table';
import { normaliseDomain } from './routing-key';
import { expiryUpdater, type ServingCertificate } from './serving-certificate';
import type { TrafficMeter } from './traffic-meter';
import { UpgradeRelay } from './upgrade';

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
/** ECE's TLS proxy port. */
export const DEFAULT_TLS_PORT = 9243;

/** The TLS port's settings: where it listens and the certificate it serves. */
export interface ProxyTlsOptions {
  /** Default {@link DEFAULT_TLS_PORT}; 0 picks a free port (tests). The address is the plain port's. */
  readonly port?: number;
  readonly certificate: Pick<ServingCertificate, 'certPem' | 'keyPem' | 'notAfter'>;
}

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
  /** Serve TLS (HTTP/1.1 and h2 by ALPN) on a second port; absent: the plain port only. */
  readonly tls?: ProxyTlsOptions | undefined;
  /** Where requests are counted when there is no `zk` (a worker: its primary writes them). */
  readonly trafficMeter?: TrafficMeter;
  /**
   * A data plane in front (HAProxy, `haproxy/`): it binds `host:port`, this process listens on a
   * loopback port of its own for what the data plane does not route, and is the control plane.
   */
  readonly dataPlane?: ProxyDataPlane | undefined;
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
  /** Starts routing and listening; resolves with the plain port's bound address. */
  start(): Promise<AddressInfo>;
  /** The TLS port's bound address once started (`undefined` without TLS). */
  tlsAddress(): AddressInfo | undefined;
  /** Stops accepting, drains in-flight requests (up to the deadline), deregisters. Idempotent. */
  close(): Promise<void>;
  /** Request counters (what the registration's `stats` report). */
  counters(): ProxyCounters;
  /** Serves `certificate` on the TLS port from now on (new connections; a no-op without TLS). */
  setCertificate(certificate: ProxyTlsOptions['certificate']): void;
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
  /** HTTP/2 sessions on both ports (h2c after the preface on the plain one, ALPN h2 on the TLS one). */
  private readonly h2Sessions: ReadonlySet<Http2Session>;
  private readonly h2Upstreams: H2Upstreams;
  private readonly upgrades: UpgradeRelay;
  private readonly tlsServer: tls.Server | undefined;
  private readonly handler: RequestHandler;
  /** Sampled at scrape time: expiry moves with the clock, not with events. */
  private readonly updateCertificateExpiry: () => void;
  /** What the TLS port serves now (replaced by {@link setCertificate}). */
  private certificate: ProxyTlsOptions['certificate'] | undefined;
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
    this.shell = this.createShell(options, metrics, balancer, health);
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
    this.h2Upstreams = new H2Upstreams(this.clock);
    const reportDown = this.forwarder.reportDown.bind(this.forwarder);
    const grpc = new GrpcForwarder({
      balancer,
      upstreams: this.h2Upstreams,
      metrics,
      logger: this.logger,
      reportDown,
    });
    const domain = normaliseDomain(options.domain ?? 'localhost');
    const table = (): RouteTable | undefined => this.shell.cache.current();
    this.upgrades = new UpgradeRelay({ domain, table, balancer, metrics, logger: this.logger, reportDown });
    const zk = options.zk;
    const scrapeTokens = zk === undefined ? undefined : new ScrapeTokenVerifier(zk, { logger: this.logger });
    this.authorizeMetrics =
      options.authorizeMetrics ??
      (scrapeTokens === undefined ? () => Promise.resolve(true) : (a) => scrapeTokens.allows(a));
    this.handler = createRequestHandler({
      domain,
      table,
      healthy: () => this.shell.state === 'running' && this.shell.cache.initialized,
      draining,
      serveMetrics: (req, res) => this.serveMetrics(req, res),
      forwarder: this.forwarder,
      grpc,
      logger: this.logger,
      metrics,
      clock: this.clock,
      accessLog: options.accessLog,
      holdMs: options.holdMs,
      traffic: this.shell.traffic?.meter ?? options.trafficMeter,
    });
    const servers = createProxyServers({
      listener: this.handler.listener,
      upgrade: this.upgrades.listener,
      http1: { keepAliveTimeout: CLIENT_KEEP_ALIVE_TIMEOUT_MS, headersTimeout: CLIENT_HEADERS_TIMEOUT_MS },
      tls: options.tls?.certificate,
    });
    this.server = servers.http1;
    this.h2Sessions = servers.h2Sessions;
    this.tlsServer = servers.tls;
    this.certificate = options.tls?.certificate;
    this.updateCertificateExpiry = expiryUpdater(metrics, () => this.certificate, this.clock);
    this.updateCertificateExpiry();
  }

  /** The shell: route source and cache, registration, lifecycle; the hooks are this proxy's. */
  private createShell(
    options: ProxyOptions,
    metrics: ProxyMetrics,
    balancer: Balancer,
    health: InstanceHealth,
  ): ProxyShell {
    return new ProxyShell(
      {
        ...options,
        metrics,
        clock: this.clock,
        onSwap: (table, change) => {
          balancer.retain(table.routes);
          health.retain(table);
          this.forwarder.retain(table, change);
          this.h2Upstreams.retain(table, change);
          void options.dataPlane?.sync(table);
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
          this.h2Upstreams.close();
        },
      },
    );
  }

  setCertificate(certificate: ProxyTlsOptions['certificate']): void {
    if (this.tlsServer === undefined) return;
    // Established connections keep what they negotiated; the listener's options (ALPN) stay.
    this.tlsServer.setSecureContext({
      cert: certificate.certPem,
      key: certificate.keyPem,
      minVersion: 'TLSv1.2',
    });
    this.certificate = certificate;
    this.updateCertificateExpiry();
  }

  tlsAddress(): AddressInfo | undefined {
    return this.tlsServer?.listening === true ? (this.tlsServer.address() as AddressInfo) : undefined;
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
    // The data plane's soft stop lets its in-flight requests (some through this process) finish.
    await this.options.dataPlane?.close();
    if (!this.server.listening) return;
    if (this.tlsServer?.listening === true) this.tlsServer.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // GOAWAY: HTTP/2 clients open no new streams here; the ones in flight finish.
    for (const session of this.h2Sessions) session.close();
    const deadline = this.clock.monotonic() + (this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    while (this.handler.inFlight() > 0 && this.clock.monotonic() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, DRAIN_POLL_MS));
      this.server.closeIdleConnections();
    }
    const left = this.handler.inFlight();
    if (left > 0) this.logger.warn('drain deadline passed', { in_flight: left });
    this.server.closeAllConnections();
    for (const session of this.h2Sessions) session.destroy();
    this.upgrades.close();
    await closed;
  }

  private async listen(): Promise<AddressInfo> {
    const { host = '127.0.0.1', port = 9200, dataPlane } = this.options;
    const address = await listenOn(
      this.server,
      dataPlane ? 0 : port,
      dataPlane ? '127.0.0.1' : host,
      this.logger,
    );
    if (this.tlsServer !== undefined) {
      try {
        await listenOn(this.tlsServer, this.options.tls?.port ?? DEFAULT_TLS_PORT, host, this.logger);
      } catch (err) {
        this.server.close();
        throw err;
      }
    }
    return dataPlane === undefined ? address : dataPlane.start(address);
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
    this.updateCertificateExpiry();
    const registry = this.options.metrics.registry;
    const own = (this.options.metricsText ?? (() => registry.metrics()))();
    const plane = this.options.dataPlane?.metricsText() ?? Promise.resolve('');
    Promise.all([own, plane]).then(
      ([text, planeText]) => {
        res.setHeader('content-type', registry.contentType);
        res.end(text + planeText);
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

/** Listens on `port`; a later server error is logged (the port keeps serving). */
function listenOn(server: Server, port: number, host: string, logger: Logger): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', (err) => logger.error('proxy server error', { err }));
      resolve(server.address() as AddressInfo);
    });
  });
}
