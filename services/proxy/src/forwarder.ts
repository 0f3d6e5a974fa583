/**
 * Sends one client request to an instance over that instance's keep-alive agent with
 * `http.request`, and when the instance cannot be reached sends it to another one: up to
 * `MAX_ATTEMPTS` instances, under the rules of `retry-policy.ts` (a request that never reached the
 * instance is retried whatever its method; one reset before a response only when idempotent). A
 * body is streamed to the instance and kept for replay while it fits in 64 KiB (`request-body.ts`).
 * The failed instance is reported down at once (for every worker) and gets no client request until
 * an active health check brings it back (`health-checker.ts`).
 *
 * Why not a proxy library: http-proxy-3 runs a chain of passes per request (header objects copied
 * twice, one `setHeader` per header, `pipe` in both directions) and cost about a third of the
 * proxy's CPU per request (docs/benchmarks.md, "proxy overhead"). This file does the same hop with
 * raw header lists (`headers.ts`) and a direct relay, which is all the proxy needs: no path
 * rewriting, one upstream protocol. HTTP/2 clients come here too (Node's compatibility objects)
 * and are spoken for in HTTP/1.1 upstream, except gRPC (`grpc-forwarder.ts`); WebSocket upgrades
 * are `upgrade.ts`.
 */
import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
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
import { ReplayableBody } from './request-body';
import { sendError } from './responses';
import { failureKind, marksDown, mayRetry } from './retry-policy';
import type { RouteSwapChange } from './route-addresses';
import type { Route, RouteTable, RouteTarget } from './route-table';
import { UpstreamAgents } from './upstream-agent';

export { HANDLING_DEPLOYMENT_HEADER, HANDLING_INSTANCE_HEADER } from './headers';
export {
  CONNECT_TIMEOUT_MS,
  UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
  UPSTREAM_MAX_FREE_SOCKETS,
  UPSTREAM_MAX_SOCKETS,
} from './upstream-agent';

/**
 * Inactivity limit on an upstream request: no response byte (or no body byte while streaming) for
 * this long fails it with 504. A minute covers slow queries; longer waits are better served by the
 * client retrying than by holding a socket and an in-flight slot.
 */
export const UPSTREAM_TIMEOUT_MS = 60_000;
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
  /**
   * Called when an instance failed a connect or reset a connection, after it was marked down in
   * the balancer's health (a worker relays it to the primary, which tells every worker).
   */
  readonly onInstanceDown?: ((target: RouteTarget, reason: string) => void) | undefined;
}

/** One attempt at one instance. */
export interface Attempt {
  readonly target: RouteTarget;
  /** The request (HTTP/1.1) or stream (HTTP/2) to the instance, destroyed when the client goes away. */
  upstream: { destroy(): void } | undefined;
  responded: boolean;
  timedOut: boolean;
}

/** The proxy's view of one client request in flight. */
export interface Exchange {
  readonly route: Route;
  /** The client's body, kept for replay; undefined for a body-less request. */
  readonly body: ReplayableBody | undefined;
  attempt: Attempt | undefined;
  attempts: number;
  tried: Set<string> | undefined;
  outcome: ForwardOutcome | undefined;
  /** The headers sent upstream, computed once (a retry sends the same). */
  headers: string[] | undefined;
  /** Request body bytes received where no {@link ReplayableBody} counts them (gRPC). */
  bytesIn: number;
  /** Response body bytes relayed to the client (traffic metering). */
  bytesOut: number;
}

const EXCHANGE = Symbol('wharf.exchange');
type TaggedRequest = IncomingMessage & { [EXCHANGE]?: Exchange };

/** Proxies requests to route targets (one instance per proxy process). */
export class Forwarder {
  private readonly options: ForwarderOptions;
  private readonly agents: UpstreamAgents;
  private readonly upstreamTimeoutMs: number;

  constructor(options: ForwarderOptions) {
    this.options = options;
    this.agents = new UpstreamAgents(options.clock);
    this.upstreamTimeoutMs = options.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS;
  }

  /** Forwards `req` to one of `route`'s instances; the exchange is returned for access logging. */
  forward(req: IncomingMessage, res: ServerResponse, route: Route): Exchange {
    const exchange = openExchange(req, route);
    const target = this.options.balancer.pick(route);
    if (target === undefined) {
      this.fail(req, res, exchange, 'no_instance', 'no healthy instance', undefined);
      return exchange;
    }
    if (hasBody(req)) (exchange as { body: ReplayableBody | undefined }).body = new ReplayableBody(req);
    this.send(req, res, exchange, target);
    return exchange;
  }

  /** Drops agents of upstreams that left the routing table (after each table swap). */
  retain(table: RouteTable, change?: RouteSwapChange): void {
    this.agents.retain(table, change);
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
    this.agents.close();
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
          agent: this.agents.agentFor(target),
          timeout: this.upstreamTimeoutMs,
        },
        (upstreamRes) => this.relay(req, res, exchange, attempt, upstreamRes),
      );
    } catch (err) {
      // Node refuses to send what its own parser let in only in corner cases (a path with
      // characters it will not write); a request handler must never throw.
      this.options.metrics.upstreamErrors.inc({ reason: 'invalid_request' });
      this.fail(req, res, exchange, 'upstream_error', 'request cannot be forwarded', errorCode(err as Error));
      return;
    }
    attempt.upstream = upstream;
    upstream.on('error', (err) => this.onError(req, res, exchange, attempt, err));
    upstream.on('timeout', () => {
      attempt.timedOut = true;
      upstream.destroy();
    });
    // The body (held for replay while it fits) goes to this attempt; a body-less request ends now.
    if (exchange.body === undefined) upstream.end();
    else exchange.body.attach(upstream);
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
    // An HTTP/2 client (compat request) has no status message and no connection-level headers.
    const h2 = req.httpVersionMajor === 2;
    try {
      res.writeHead(
        upstreamRes.statusCode ?? 502,
        h2 ? undefined : upstreamRes.statusMessage,
        clientResponseHeaders(upstreamRes.rawHeaders, {
          instanceId: attempt.target.instanceId,
          deploymentId: exchange.route.deploymentId,
          close: !h2 && this.options.draining(),
          http10: req.httpVersionMajor === 1 && req.httpVersionMinor === 0,
          h2,
        }),
      );
    } catch (err) {
      // A header value Node will not write (it validates what it sends): nothing was sent yet,
      // so the client gets a 502 rather than the process an uncaught exception.
      upstreamRes.destroy();
      this.options.metrics.upstreamErrors.inc({ reason: 'invalid_response' });
      this.fail(
        req,
        res,
        exchange,
        'upstream_error',
        'instance sent an invalid response',
        errorCode(err as Error),
      );
      return;
    }
    upstreamRes.on('data', (chunk: Buffer) => {
      exchange.bytesOut += chunk.length;
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
      this.fail(req, res, exchange, 'upstream_timeout', 'instance did not answer in time', code);
      return;
    }
    this.options.metrics.upstreamErrors.inc({ reason: code });
    const failure = {
      code,
      method: req.method ?? '',
      attempts: exchange.attempts,
      responded: attempt.responded,
      timedOut: attempt.timedOut,
      bodyReplayable: exchange.body?.replayable ?? true,
    };
    if (marksDown(failure)) this.markDown(exchange.route.deploymentId, attempt.target, code);
    if (mayRetry(failure) && this.retry(req, res, exchange, code)) return;
    this.fail(req, res, exchange, 'upstream_error', 'instance could not be reached', code);
  }

  /** Sends the request to an instance this request has not tried; false when none is left. */
  private retry(req: IncomingMessage, res: ServerResponse, exchange: Exchange, code: string): boolean {
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
      failure: failureKind(code),
    });
    this.send(req, res, exchange, next);
    return true;
  }

  /**
   * Holds `target` down after a failure seen outside this forwarder (the gRPC path, WebSocket
   * upgrades), by the same rule as for its own requests.
   */
  reportDown(deploymentId: string, target: RouteTarget, code: string): void {
    this.markDown(deploymentId, target, code);
  }

  /** Holds `target` down (the health checker brings it back) and drops its pooled connections. */
  private markDown(deploymentId: string, target: RouteTarget, code: string): void {
    this.agents.discard(target);
    const marked = this.options.balancer.health.markDown({
      instanceId: target.instanceId,
      host: target.host,
      port: target.port,
      since: this.options.clock.now(),
    });
    if (!marked) return;
    this.options.metrics.instanceEjections.inc();
    this.options.logger.warn('instance marked down', {
      deployment: deploymentId,
      instance: target.instanceId,
      reason: code,
    });
    this.options.onInstanceDown?.(target, code);
  }

  private fail(
    req: IncomingMessage,
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
      if (this.options.draining() && req.httpVersionMajor !== 2) res.setHeader('connection', 'close');
    }
    if (outcome === 'upstream_timeout') sendError(res, 'WHARF_TIMEOUT', message, details);
    else sendError(res, 'WHARF_UNAVAILABLE', message, details, 502);
  }
}

/** A new exchange for `route`, tagged on `req` (what {@link exchangeOf} returns; the gRPC path too). */
export function openExchange(req: IncomingMessage, route: Route): Exchange {
  const exchange: Exchange = {
    route,
    body: undefined,
    attempt: undefined,
    attempts: 0,
    tried: undefined,
    outcome: undefined,
    headers: undefined,
    bytesIn: 0,
    bytesOut: 0,
  };
  (req as TaggedRequest)[EXCHANGE] = exchange;
  return exchange;
}

/** The exchange of a request that went through {@link Forwarder.forward}, if any. */
export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as TaggedRequest)[EXCHANGE];
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
