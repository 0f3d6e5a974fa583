/**
 * Sends one client request to an instance through http-proxy-3 over a keep-alive agent, and
 * retries it once on another instance when the first one could not be connected to.
 *
 * Retry rule: only requests that are idempotent (GET, HEAD, OPTIONS, PUT, DELETE) AND carry no
 * body (no `transfer-encoding`, `content-length` absent or 0) are retried, and only when the
 * failure happened before any response byte arrived. A body is streamed straight to the first
 * instance and cannot be replayed; buffering bodies would cost memory on every request to protect
 * a rare failure, so bodies are never buffered.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { Logger } from '@wharf/observability';
import type { Balancer } from './balancer';
import type { Clock, TimerHandle } from './clock';
import type { ProxyMetrics } from './metrics';
import { sendError } from './responses';
import type { Route, RouteTarget } from './route-table';

/** Response header naming the instance that handled the request (ECE `X-Found-Handling-Instance`). */
export const HANDLING_INSTANCE_HEADER = 'x-wharf-handling-instance';
/** Response header naming the deployment that handled the request (ECE `X-Found-Handling-Cluster`). */
export const HANDLING_DEPLOYMENT_HEADER = 'x-wharf-handling-deployment';

/**
 * Inactivity limit on an upstream request: no response byte (or no body byte while streaming) for
 * this long fails it with 504. A minute covers slow queries; longer waits are better served by the
 * client retrying than by holding a socket and an in-flight slot.
 */
export const UPSTREAM_TIMEOUT_MS = 60_000;
/**
 * Limit on establishing a new upstream connection. On a LAN a connect takes well under a
 * millisecond; an instance that has not answered in 2 s is treated like one that refused (retried
 * elsewhere and ejected), rather than holding the request for the whole upstream timeout.
 */
export const CONNECT_TIMEOUT_MS = 2_000;
/**
 * Concurrent connections to one instance. Requests beyond this wait in the agent's queue instead of
 * opening a connection storm against an instance that is already slow.
 */
export const UPSTREAM_MAX_SOCKETS = 256;
/**
 * Idle keep-alive connections kept per instance. Enough for the steady concurrency of a busy
 * deployment (the benchmark's 50 client connections need ~50); more would only hold file descriptors.
 */
export const UPSTREAM_MAX_FREE_SOCKETS = 64;
/**
 * Idle keep-alive connections are closed after this. It must stay below the instances' own
 * keep-alive timeout (Node's default is 5 s) so the proxy closes first: reusing a connection the
 * instance is closing at the same moment is the classic keep-alive `ECONNRESET` race.
 */
export const UPSTREAM_IDLE_SOCKET_TIMEOUT_MS = 4_000;

/** One try plus one retry on another instance. */
const MAX_ATTEMPTS = 2;
/** Methods that are safe to send twice (RFC 9110 §9.2.2). POST and PATCH are never retried. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Errors that mean the instance never processed the request: retry elsewhere. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
/** Errors that mean the instance is not accepting connections: eject it for the cooldown. */
const EJECTING_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'WHARF_CONNECT_TIMEOUT']);

/** How a proxied request ended (a label on the request metric and in the access log). */
export type ForwardOutcome = 'ok' | 'upstream_error' | 'upstream_timeout' | 'no_instance' | 'client_aborted';

/** Options for {@link Forwarder}. */
export interface ForwarderOptions {
  readonly balancer: Balancer;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly clock: Clock;
  /** Sends `Connection: close` on every response once true (graceful shutdown). */
  readonly draining: () => boolean;
  /** See {@link UPSTREAM_TIMEOUT_MS}. */
  readonly upstreamTimeoutMs?: number | undefined;
}

/** One attempt at one instance. */
interface Attempt {
  readonly target: RouteTarget;
  responded: boolean;
  timedOut: boolean;
  connectTimer: TimerHandle | undefined;
}

/** The proxy's view of one client request in flight. */
export interface Exchange {
  readonly route: Route;
  readonly retryable: boolean;
  attempt: Attempt | undefined;
  attempts: number;
  tried: Set<string> | undefined;
  outcome: ForwardOutcome | undefined;
}

const EXCHANGE = Symbol('wharf.exchange');
type TaggedRequest = IncomingMessage & { [EXCHANGE]?: Exchange };

/** Proxies requests to route targets (one instance per proxy process). */
export class Forwarder {
  private readonly options: ForwarderOptions;
  private readonly agent: http.Agent;
  private readonly proxy: ProxyServer;

  constructor(options: ForwarderOptions) {
    this.options = options;
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: UPSTREAM_MAX_SOCKETS,
      maxFreeSockets: UPSTREAM_MAX_FREE_SOCKETS,
      timeout: UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
      scheduling: 'lifo',
    });
    // No `xfwd` (set once in the request handler: a retry must not append twice) and no
    // `proxyTimeout` (it destroys the request without a marker, indistinguishable from a reset).
    this.proxy = createProxyServer({ agent: this.agent, xfwd: false, ws: false });
    // Without an 'error' listener http-proxy throws and the process dies (deps.md §3). Every call
    // passes its own callback, so this only sees errors the library raises outside a request.
    this.proxy.on('error', (err) => this.options.logger.error('proxy library error', { err }));
    this.proxy.on('proxyReq', (proxyReq, req) => this.onProxyReq(proxyReq, req));
    this.proxy.on('proxyRes', (proxyRes, req, res) => this.onProxyRes(proxyRes, req, res));
  }

  /** Forwards `req` to one of `route`'s instances; the exchange is returned for access logging. */
  forward(req: IncomingMessage, res: ServerResponse, route: Route): Exchange {
    const exchange: Exchange = {
      route,
      retryable: isRetryable(req),
      attempt: undefined,
      attempts: 0,
      tried: undefined,
      outcome: undefined,
    };
    (req as TaggedRequest)[EXCHANGE] = exchange;
    const target = this.options.balancer.pick(route);
    if (target === undefined) {
      this.fail(res, exchange, 'no_instance', 'no healthy instance', undefined);
      return exchange;
    }
    this.send(req, res, exchange, target);
    return exchange;
  }

  /** Closes idle upstream connections; in-flight requests finish on theirs. */
  close(): void {
    this.agent.destroy();
  }

  private send(req: IncomingMessage, res: ServerResponse, exchange: Exchange, target: RouteTarget): void {
    const attempt: Attempt = { target, responded: false, timedOut: false, connectTimer: undefined };
    exchange.attempt = attempt;
    exchange.attempts += 1;
    res.setHeader(HANDLING_INSTANCE_HEADER, target.instanceId);
    this.proxy.web(
      req,
      res,
      {
        target: { protocol: 'http:', host: target.host, port: target.port },
        // The client's request stream was consumed by the first attempt; a retried request has
        // no body (see the retry rule above), so it gets an explicitly empty one.
        ...(exchange.attempts > 1 ? { buffer: Readable.from([]) } : {}),
      },
      (err) => this.onError(req, res, exchange, attempt, err),
    );
  }

  private onProxyReq(proxyReq: http.ClientRequest, req: IncomingMessage): void {
    const attempt = (req as TaggedRequest)[EXCHANGE]?.attempt;
    if (attempt === undefined) return;
    proxyReq.setTimeout(this.options.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS, () => {
      attempt.timedOut = true;
      proxyReq.destroy();
    });
    const socket = proxyReq.socket;
    if (socket?.connecting) {
      attempt.connectTimer = this.options.clock.setTimeout(() => {
        proxyReq.destroy(Object.assign(new Error('connect timeout'), { code: 'WHARF_CONNECT_TIMEOUT' }));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => attempt.connectTimer?.cancel());
    }
  }

  private onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
    const exchange = (req as TaggedRequest)[EXCHANGE];
    const attempt = exchange?.attempt;
    if (attempt !== undefined) {
      attempt.responded = true;
      attempt.connectTimer?.cancel();
    }
    // An instance dying mid-body ends its response without an 'error' the library sees; piping
    // would leave the client waiting for bytes that never come. Cut the client off instead.
    proxyRes.once('close', () => {
      if (proxyRes.complete || res.destroyed) return;
      if (exchange !== undefined) exchange.outcome ??= 'upstream_error';
      this.options.metrics.upstreamErrors.inc({ reason: 'aborted' });
      res.destroy();
    });
    // Connection management is hop-by-hop: the instance closing its connection to the proxy must
    // not close the client's connection, and its keep-alive timeout is not the proxy's.
    delete proxyRes.headers['keep-alive'];
    if (this.options.draining()) proxyRes.headers.connection = 'close';
    else if (proxyRes.headers.connection === 'close') delete proxyRes.headers.connection;
  }

  private onError(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
    attempt: Attempt,
    err: Error,
  ): void {
    attempt.connectTimer?.cancel();
    if (attempt !== exchange.attempt || exchange.outcome !== undefined) return; // a superseded attempt
    const code = errorCode(err);
    // `req.destroyed` turns true once a body-less request has been read; the socket is what counts.
    if (res.destroyed || req.socket.destroyed) {
      exchange.outcome = 'client_aborted';
      return;
    }
    if (attempt.responded) {
      // The instance failed mid-response: the status line is gone, all we can do is cut it short.
      exchange.outcome = 'upstream_error';
      this.options.metrics.upstreamErrors.inc({ reason: code });
      res.destroy();
      return;
    }
    if (attempt.timedOut) {
      this.options.metrics.upstreamErrors.inc({ reason: 'timeout' });
      this.fail(res, exchange, 'upstream_timeout', 'instance did not answer in time', code);
      return;
    }
    this.options.metrics.upstreamErrors.inc({ reason: code });
    if (EJECTING_FAILURES.has(code)) this.eject(exchange, attempt.target, code);
    if (this.retry(req, res, exchange, code)) return;
    this.fail(res, exchange, 'upstream_error', 'instance could not be reached', code);
  }

  private retry(req: IncomingMessage, res: ServerResponse, exchange: Exchange, code: string): boolean {
    const retriable = code === 'WHARF_CONNECT_TIMEOUT' || CONNECT_FAILURES.has(code);
    if (!retriable || !exchange.retryable || exchange.attempts >= MAX_ATTEMPTS) return false;
    const failed = exchange.attempt!.target.instanceId;
    const tried = (exchange.tried ??= new Set());
    tried.add(failed);
    const next = this.options.balancer.pick(exchange.route, tried);
    if (next === undefined) return false;
    this.options.metrics.upstreamRetries.inc();
    this.options.logger.debug('request retried', {
      deployment: exchange.route.deploymentId,
      instance: failed,
      next_instance: next.instanceId,
      reason: code,
    });
    this.send(req, res, exchange, next);
    return true;
  }

  private eject(exchange: Exchange, target: RouteTarget, code: string): void {
    if (this.options.balancer.isEjected(target.instanceId)) return;
    this.options.balancer.eject(target.instanceId);
    this.options.metrics.instanceEjections.inc();
    this.options.logger.warn('instance ejected', {
      deployment: exchange.route.deploymentId,
      instance: target.instanceId,
      reason: code,
    });
  }

  private fail(
    res: ServerResponse,
    exchange: Exchange,
    outcome: ForwardOutcome,
    message: string,
    reason: string | undefined,
  ): void {
    exchange.outcome = outcome;
    const details = {
      deployment: exchange.route.deploymentId,
      instance: exchange.attempt?.target.instanceId ?? null,
      attempts: exchange.attempts,
      reason: reason ?? null,
    };
    if (outcome === 'upstream_timeout') sendError(res, 'WHARF_TIMEOUT', message, details);
    else sendError(res, 'WHARF_UNAVAILABLE', message, details, 502);
  }
}

/** The exchange of a request that went through {@link Forwarder.forward}, if any. */
export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as TaggedRequest)[EXCHANGE];
}

/** Idempotent and body-less: safe to send to a second instance (see the module comment). */
export function isRetryable(req: IncomingMessage): boolean {
  if (!IDEMPOTENT_METHODS.has(req.method ?? '')) return false;
  if (req.headers['transfer-encoding'] !== undefined) return false;
  const length = req.headers['content-length'];
  return length === undefined || length === '0';
}

function errorCode(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.length <= 32 ? code : 'EUNKNOWN';
}
