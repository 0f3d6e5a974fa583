/**
 * The proxy's HTTP request listener: routing key → route → forwarder, plus the proxy's own
 * endpoints (`/_health`, `/_metrics`), which answer only requests that name no deployment, so no
 * deployment path can ever be shadowed by them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Logger } from '@wharf/observability';
import type { Clock } from './clock';
import { exchangeOf, type Exchange, type Forwarder } from './forwarder';
import type { ProxyMetrics } from './metrics';
import { sendError, sendHealth } from './responses';
import { isGrpc, type GrpcForwarder } from './grpc-forwarder';
import type { Route, RouteTable } from './route-table';
import { routingKeyOfRequest, type RoutingKey } from './routing-key';
import type { TrafficMeter } from './traffic-meter';

/** Path of the load-balancer health check (ECE's `GET /_health`). */
export const HEALTH_PATH = '/_health';
/** Path of the proxy's own Prometheus metrics. */
export const METRICS_PATH = '/_metrics';

/**
 * Default longest wait for a routable instance when a deployment's route lists none (all
 * unhealthy or draining). The constructor briefly lists every member unroutable around a moment
 * the stack cannot serve (etcd: a leadership hand-off) — about a drain period plus the hand-off —
 * so requests that arrive then wait for the route to come back instead of failing. A deployment
 * that really has no healthy instance answers 502 this much later.
 */
export const DEFAULT_HOLD_MS = 5_000;
/** Re-check period of a held request: one map lookup, so frequent checks cost nothing noticeable. */
const HOLD_POLL_MS = 10;

/** Options for {@link createRequestHandler}. */
export interface RequestHandlerOptions {
  /** Lowercase domain without trailing dot: deployments are `<id>.<domain>`. */
  readonly domain: string;
  /** The current table (`undefined` until initialised); read once per request. */
  readonly table: () => RouteTable | undefined;
  /** True when `/_health` should answer 200 (table initialised and not shutting down). */
  readonly healthy: () => boolean;
  /** True while shutting down: responses ask clients to close their connection. */
  readonly draining: () => boolean;
  /** Writes the metrics exposition for `GET /_metrics`. */
  readonly serveMetrics: (req: IncomingMessage, res: ServerResponse) => void;
  readonly forwarder: Forwarder;
  /** Carries HTTP/2 gRPC calls (absent: they go through `forwarder` like any request). */
  readonly grpc?: GrpcForwarder | undefined;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly clock: Clock;
  /** See {@link DEFAULT_HOLD_MS}; 0 answers 502 at once. */
  readonly holdMs?: number | undefined;
  /**
   * Build the per-request debug line. `main.ts` turns it off unless the level is `debug`, so the
   * hot path does not allocate a log entry that would be dropped.
   */
  readonly accessLog?: boolean | undefined;
  /** Counts each forwarded request's bytes per deployment (traffic metering); absent: not counted. */
  readonly traffic?: TrafficMeter | undefined;
}

/** The proxy's request listener, with the counters the shell reports. */
export interface RequestHandler {
  /** The listener for `http.createServer`. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Requests received and not yet finished or aborted. */
  readonly inFlight: () => number;
  /** Requests received since start. */
  readonly received: () => number;
}

/** The counters a handler keeps (mutated on the hot path, read by the shell). */
interface Counters {
  inFlight: number;
  received: number;
}

/** Builds the proxy's request listener. */
export function createRequestHandler(options: RequestHandlerOptions): RequestHandler {
  const { domain, clock } = options;
  const accessLog = options.accessLog ?? true;
  const holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
  const counters: Counters = { inFlight: 0, received: 0 };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const started = clock.monotonic();
    counters.inFlight += 1;
    counters.received += 1;
    res.once('close', () => {
      counters.inFlight -= 1;
      const exchange = exchangeOf(req);
      if (exchange !== undefined && !res.writableFinished) options.forwarder.abandon(exchange);
      record(options, accessLog, req, res, exchange, clock.monotonic() - started);
    });
    const key = routingKeyOfRequest(req, domain);
    const table = key.kind === 'deployment' ? options.table() : undefined;
    const route = key.kind === 'deployment' ? table?.routes.get(key.deploymentId) : undefined;
    if (route === undefined) {
      // Answered here. Forwarded responses get `Connection: close` from the forwarder instead:
      // a header set now would push Node's writeHead of the instance's raw headers onto its
      // one-setHeader-per-header path, which also folds repeated headers (Set-Cookie) into one.
      // HTTP/2 has no `Connection` (a draining h2 session is sent GOAWAY instead).
      if (options.draining() && req.httpVersionMajor !== 2) res.setHeader('connection', 'close');
      return answer(options, counters, req, res, key, table);
    }
    // Not a 404 (the deployment exists) and not held: nothing comes back until `_start`.
    if (route.shutdown === true) return sendShutDown(res, route.deploymentId);
    if (route.restoring === true) return sendRestoring(res, route.deploymentId);
    if (route.healthyCount === 0 && holdMs > 0) return hold(options, res, route.deploymentId, holdMs, req);
    forward(options, req, res, route);
  };

  return { listener, inFlight: () => counters.inFlight, received: () => counters.received };
}

/**
 * Waits (up to `holdMs`) until the deployment's route has a routable instance again, then
 * forwards; past the wait it forwards anyway, which answers 502 when still no instance is
 * routable. The request body stays unread (buffered by the socket) meanwhile.
 */
function hold(
  options: RequestHandlerOptions,
  res: ServerResponse,
  deploymentId: string,
  holdMs: number,
  req: IncomingMessage,
): void {
  const until = options.clock.monotonic() + holdMs;
  const check = (): void => {
    if (res.destroyed || res.writableEnded) return;
    const route = options.table()?.routes.get(deploymentId);
    // Deleted meanwhile: the same answer as for a request that arrived after the deletion.
    if (route === undefined)
      return sendError(res, 'WHARF_NOT_FOUND', 'no such deployment', { deployment: deploymentId });
    // Shut down meanwhile (requests held through the drain before a shutdown): no point waiting.
    if (route.shutdown === true) return sendShutDown(res, deploymentId);
    // Restoring meanwhile (requests held through the drain before a restore): it may take minutes.
    if (route.restoring === true) return sendRestoring(res, deploymentId);
    if (route.healthyCount > 0 || options.clock.monotonic() >= until) {
      forward(options, req, res, route);
      return;
    }
    options.clock.setTimeout(check, HOLD_POLL_MS);
  };
  options.metrics.requestsHeld.inc();
  options.clock.setTimeout(check, HOLD_POLL_MS);
}

/** The answer for a shut-down deployment (`_shutdown`). */
function sendShutDown(res: ServerResponse, deploymentId: string): void {
  sendError(res, 'WHARF_DEPLOYMENT_SHUT_DOWN', 'deployment is shut down', { deployment: deploymentId });
}

/**
 * The answer while an in-place restore replaces the data (`_restore`): a clear 503 rather than a
 * key space that is empty or half written. Not held: a restore takes about as long as writing the keys.
 */
function sendRestoring(res: ServerResponse, deploymentId: string): void {
  sendError(res, 'WHARF_DEPLOYMENT_RESTORING', 'deployment data is being restored from a snapshot', {
    deployment: deploymentId,
  });
}

/** gRPC calls go stream to stream (`grpc-forwarder.ts`); every other request through the forwarder. */
function forward(
  options: RequestHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
): void {
  if (options.grpc !== undefined && isGrpc(req.httpVersionMajor, req.headers['content-type'])) {
    options.grpc.forward(req as unknown as Http2ServerRequest, res as unknown as Http2ServerResponse, route);
    return;
  }
  options.forwarder.forward(req, res, route);
}

/** Answers a request that reaches no route: the proxy's own endpoints or an error. */
function answer(
  options: RequestHandlerOptions,
  counters: Counters,
  req: IncomingMessage,
  res: ServerResponse,
  key: RoutingKey,
  table: RouteTable | undefined,
): void {
  if (key.kind === 'none') return serveOwn(options, counters, req, res);
  if (key.kind === 'invalid') {
    if (key.source === 'header') {
      return sendError(res, 'WHARF_INVALID_ID', 'invalid deployment id in X-Wharf-Deployment', {
        'x-wharf-deployment': key.value,
      });
    }
    return sendError(res, 'WHARF_NOT_FOUND', 'no such deployment', { host: req.headers.host ?? null });
  }
  const deployment = key.deploymentId;
  if (table === undefined) {
    return sendError(res, 'WHARF_UNAVAILABLE', 'routing table not initialised', { deployment }, 502);
  }
  sendError(res, 'WHARF_NOT_FOUND', 'no such deployment', { deployment });
}

/** `/_health` and `/_metrics`, for requests that name no deployment. */
function serveOwn(
  options: RequestHandlerOptions,
  counters: Counters,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const path = pathOf(req.url);
  const readOnly = req.method === 'GET' || req.method === 'HEAD';
  if (path === HEALTH_PATH && readOnly) return sendHealth(res, options.healthy(), req.method === 'HEAD');
  if (path === METRICS_PATH && req.method === 'GET') {
    // Sampled at scrape time: no per-request gauge update.
    options.metrics.requestsInFlight.set(counters.inFlight);
    return options.serveMetrics(req, res);
  }
  sendError(res, 'WHARF_NOT_FOUND', 'no deployment named by Host or X-Wharf-Deployment', {
    host: req.headers.host ?? null,
  });
}

/** Request metrics and the optional access log line, once the response closed. */
function record(
  options: RequestHandlerOptions,
  accessLog: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange | undefined,
  elapsedMs: number,
): void {
  const { metrics, logger } = options;
  const outcome = exchange
    ? (exchange.outcome ?? (res.writableFinished ? 'ok' : 'client_aborted'))
    : res.writableFinished
      ? 'local'
      : 'client_aborted';
  const status = res.writableFinished ? res.statusCode : 0;
  metrics.requests.inc({ outcome, status_class: statusClass(status) });
  if (exchange !== undefined) {
    metrics.requestSeconds.observe(elapsedMs / 1000);
    options.traffic?.record(
      exchange.route.deploymentId,
      exchange.body?.received ?? exchange.bytesIn,
      exchange.bytesOut,
    );
  }
  if (!accessLog) return;
  // Method, ids, status and timing only: headers and the URL can carry credentials.
  logger.debug('request', {
    method: req.method,
    deployment: exchange?.route.deploymentId,
    instance: exchange?.attempt?.target.instanceId,
    attempts: exchange?.attempts,
    status,
    outcome,
    response_time: Math.round(elapsedMs * 1000) / 1000,
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function statusClass(status: number): string {
  return status === 0 ? 'none' : `${Math.floor(status / 100)}xx`;
}
