/**
 * Sends one client request to an instance over a keep-alive agent with `http.request`, and
 * retries it once on another instance when the first one could not be connected to.
 *
 * Retry rule: only requests that are idempotent (GET, HEAD, OPTIONS, PUT, DELETE) AND carry no
 * body (no `transfer-encoding`, `content-length` absent or 0) are retried, and only when the
 * failure happened before any response byte arrived. A body is streamed straight to the first
 * instance and cannot be replayed; buffering bodies would cost memory on every request to protect
 * a rare failure, so bodies are never buffered.
 *
 * Why not a proxy library: http-proxy-3 runs a chain of passes per request (header objects copied
 * twice, one `setHeader` per header, `pipe` in both directions) and cost about a third of the
 * proxy's CPU per request (docs/benchmarks.md, "proxy overhead"). This file does the same hop with
 * raw header lists (`headers.ts`) and a direct relay, which is all the proxy needs: no WebSocket,
 * no path rewriting, one upstream protocol.
 */
import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@wharf/observability';
import type { Balancer } from './balancer';
import type { Clock } from './clock';
import {
  HANDLING_DEPLOYMENT_HEADER,
  HANDLING_INSTANCE_HEADER,
  clientResponseHeaders,
  upstreamRequestHeaders,
} from './headers';
import type { ProxyMetrics } from './metrics';
import { sendError } from './responses';
import type { Route, RouteTarget } from './route-table';

export { HANDLING_DEPLOYMENT_HEADER, HANDLING_INSTANCE_HEADER } from './headers';

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
  /** The request to the instance (destroyed when the client goes away). */
  upstream: ClientRequest | undefined;
  responded: boolean;
  timedOut: boolean;
}

/** The proxy's view of one client request in flight. */
export interface Exchange {
  readonly route: Route;
  readonly retryable: boolean;
  attempt: Attempt | undefined;
  attempts: number;
  tried: Set<string> | undefined;
  outcome: ForwardOutcome | undefined;
  /** The headers sent upstream, computed once (a retry sends the same). */
  headers: string[] | undefined;
}

const EXCHANGE = Symbol('wharf.exchange');
type TaggedRequest = IncomingMessage & { [EXCHANGE]?: Exchange };

/**
 * A keep-alive agent whose new connections fail with `WHARF_CONNECT_TIMEOUT` when the connect
 * takes longer than {@link CONNECT_TIMEOUT_MS}. The timer lives on the connection, so a request
 * that reuses a pooled connection (nearly all of them) pays nothing for it.
 */
class UpstreamAgent extends http.Agent {
  constructor(private readonly clock: Clock) {
    super({
      keepAlive: true,
      maxSockets: UPSTREAM_MAX_SOCKETS,
      maxFreeSockets: UPSTREAM_MAX_FREE_SOCKETS,
      timeout: UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
      // Reuse the most recently used connection: the idle ones at the bottom then time out, so
      // the pool shrinks back after a burst instead of keeping every connection barely alive.
      scheduling: 'lifo',
    });
  }

  override createConnection(options: net.NetConnectOpts): net.Socket {
    const socket = net.createConnection(options);
    const timer = this.clock.setTimeout(() => {
      socket.destroy(Object.assign(new Error('connect timeout'), { code: 'WHARF_CONNECT_TIMEOUT' }));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => timer.cancel());
    socket.once('close', () => timer.cancel());
    return socket;
  }
}

/** Proxies requests to route targets (one instance per proxy process). */
export class Forwarder {
  private readonly options: ForwarderOptions;
  private readonly agent: http.Agent;
  private readonly upstreamTimeoutMs: number;

  constructor(options: ForwarderOptions) {
    this.options = options;
    this.agent = new UpstreamAgent(options.clock);
    this.upstreamTimeoutMs = options.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS;
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
      headers: undefined,
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

  /**
   * The client connection closed before its response finished: stop the upstream request, so a
   * slow instance does not keep working (and holding a connection) for nobody.
   */
  abandon(exchange: Exchange): void {
    exchange.attempt?.upstream?.destroy();
  }

  /** Closes idle upstream connections; in-flight requests finish on theirs. */
  close(): void {
    this.agent.destroy();
  }

  private send(req: IncomingMessage, res: ServerResponse, exchange: Exchange, target: RouteTarget): void {
    const attempt: Attempt = { target, upstream: undefined, responded: false, timedOut: false };
    exchange.attempt = attempt;
    exchange.attempts += 1;
    exchange.headers ??= upstreamRequestHeaders(req.rawHeaders, {
      remoteAddress: req.socket.remoteAddress ?? '',
      proto: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    });
    let upstream: ClientRequest;
    try {
      upstream = http.request(
        {
          host: target.host,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: exchange.headers,
          agent: this.agent,
          timeout: this.upstreamTimeoutMs,
        },
        (upstreamRes) => this.relay(req, res, exchange, attempt, upstreamRes),
      );
    } catch (err) {
      // Node refuses to send what its own parser let in only in corner cases (a path with
      // characters it will not write); a request handler must never throw.
      this.options.metrics.upstreamErrors.inc({ reason: 'invalid_request' });
      this.fail(res, exchange, 'upstream_error', 'request cannot be forwarded', errorCode(err as Error));
      return;
    }
    attempt.upstream = upstream;
    upstream.on('error', (err) => this.onError(req, res, exchange, attempt, err));
    upstream.on('timeout', () => {
      attempt.timedOut = true;
      upstream.destroy();
    });
    // The client's body is streamed on the first attempt; a retried request has none (see the
    // retry rule above), so it is ended at once.
    if (exchange.attempts === 1 && hasBody(req)) req.pipe(upstream);
    else upstream.end();
  }

  /** Streams the instance's response to the client, with backpressure. */
  private relay(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
    attempt: Attempt,
    upstreamRes: IncomingMessage,
  ): void {
    attempt.responded = true;
    if (res.destroyed) {
      upstreamRes.destroy();
      return;
    }
    try {
      res.writeHead(
        upstreamRes.statusCode ?? 502,
        upstreamRes.statusMessage,
        clientResponseHeaders(upstreamRes.rawHeaders, {
          instanceId: attempt.target.instanceId,
          deploymentId: exchange.route.deploymentId,
          close: this.options.draining(),
          http10: req.httpVersionMajor === 1 && req.httpVersionMinor === 0,
        }),
      );
    } catch (err) {
      // A header value Node will not write (it validates what it sends): nothing was sent yet,
      // so the client gets a 502 rather than the process an uncaught exception.
      upstreamRes.destroy();
      this.options.metrics.upstreamErrors.inc({ reason: 'invalid_response' });
      this.fail(
        res,
        exchange,
        'upstream_error',
        'instance sent an invalid response',
        errorCode(err as Error),
      );
      return;
    }
    upstreamRes.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        upstreamRes.pause();
        res.once('drain', () => upstreamRes.resume());
      }
    });
    upstreamRes.on('end', () => res.end());
    // An instance dying mid-body ends its response without an 'end'; the client would wait for
    // bytes that never come. Cut the client off instead.
    upstreamRes.on('close', () => {
      if (upstreamRes.complete || res.destroyed) return;
      exchange.outcome ??= 'upstream_error';
      this.options.metrics.upstreamErrors.inc({ reason: 'aborted' });
      res.destroy();
    });
  }

  private onError(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
    attempt: Attempt,
    err: Error,
  ): void {
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
    const instance = exchange.attempt?.target.instanceId;
    const details = {
      deployment: exchange.route.deploymentId,
      instance: instance ?? null,
      attempts: exchange.attempts,
      reason: reason ?? null,
    };
    if (!res.headersSent) {
      res.setHeader(HANDLING_DEPLOYMENT_HEADER, exchange.route.deploymentId);
      if (instance !== undefined) res.setHeader(HANDLING_INSTANCE_HEADER, instance);
      if (this.options.draining()) res.setHeader('connection', 'close');
    }
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
  return IDEMPOTENT_METHODS.has(req.method ?? '') && !hasBody(req);
}

/** A request body follows the headers: chunked, or a non-zero `content-length`. */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function errorCode(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.length <= 32 ? code : 'EUNKNOWN';
}
