/**
 * Forwards gRPC calls (HTTP/2 requests with `content-type: application/grpc…`) to an instance over
 * HTTP/2 end to end. gRPC needs what the HTTP/1.1 upstream path cannot carry: its status lives in
 * trailers, and calls stream in both directions at once (etcd's watch, lease keep-alives). A call
 * is one stream on the instance's shared h2c session (`h2-upstreams.ts`).
 *
 * Unlike `forwarder.ts` a call is never retried on another instance: its request body is a stream
 * of messages already consumed. An instance that cannot be reached is still held down at once, so
 * the client's retry (gRPC clients retry `UNAVAILABLE`) goes to another one.
 */
import http2, { type ClientHttp2Stream, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@wharf/observability';
import type { Balancer } from './balancer';
import { openExchange, type Attempt, type Exchange } from './forwarder';
import type { H2Upstreams } from './h2-upstreams';
import { HANDLING_DEPLOYMENT_HEADER, HANDLING_INSTANCE_HEADER } from './headers';
import type { ProxyMetrics } from './metrics';
import { sendError } from './responses';
import { marksDown } from './retry-policy';
import type { Route, RouteTarget } from './route-table';

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_CANCEL } = http2.constants;

/** Request headers not sent upstream: connection-specific, or rewritten here. */
const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
]);

/** gRPC's status headers: in a trailers-only response they arrive with the headers. */
const GRPC_STATUS_HEADERS = ['grpc-status', 'grpc-message', 'grpc-status-details-bin'] as const;

/** Options for {@link GrpcForwarder}. */
export interface GrpcForwarderOptions {
  readonly balancer: Balancer;
  readonly upstreams: H2Upstreams;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  /** Holds an instance down that failed a connect (the HTTP/1.1 forwarder's rule and side effects). */
  readonly reportDown: (deploymentId: string, target: RouteTarget, code: string) => void;
}

/** True for a request the gRPC path must carry: HTTP/2 with a gRPC content type. */
export function isGrpc(httpVersionMajor: number, contentType: string | undefined): boolean {
  return httpVersionMajor === 2 && contentType !== undefined && contentType.startsWith('application/grpc');
}

/** Proxies gRPC calls stream to stream. */
export class GrpcForwarder {
  constructor(private readonly options: GrpcForwarderOptions) {}

  /** Forwards one call; the exchange is tagged on `req` like the HTTP/1.1 forwarder's. */
  forward(req: Http2ServerRequest, res: Http2ServerResponse, route: Route): void {
    const exchange = openExchange(req as never, route);
    const target = this.options.balancer.pick(route);
    if (target === undefined) return this.fail(res, exchange, 'no healthy instance', undefined);
    const attempt: Attempt = { target, upstream: undefined, responded: false, timedOut: false };
    exchange.attempt = attempt;
    exchange.attempts = 1;
    let upstream: ClientHttp2Stream;
    try {
      upstream = this.options.upstreams.sessionFor(target).request(upstreamHeaders(req));
    } catch (err) {
      this.options.metrics.upstreamErrors.inc({ reason: 'invalid_request' });
      return this.fail(res, exchange, 'request cannot be forwarded', codeOf(err));
    }
    attempt.upstream = upstream;
    req.on('data', (chunk: Buffer) => (exchange.bytesIn += chunk.length));
    req.pipe(upstream);
    upstream.on('response', (headers, flags) => {
      attempt.responded = true;
      this.respond(res, exchange, target, headers, (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
    });
    upstream.on('trailers', (trailers) => res.addTrailers(withoutPseudo(trailers)));
    upstream.on('data', (chunk: Buffer) => {
      exchange.bytesOut += chunk.length;
      if (!res.write(chunk)) {
        upstream.pause();
        res.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => res.end());
    upstream.on('error', (err) => this.onError(res, exchange, target, err));
    upstream.on('close', () => {
      if (res.writableEnded || res.destroyed) return;
      // Reset by the instance (or its session died) mid-call: pass the reset on to the client.
      if (attempt.responded) {
        exchange.outcome ??= 'upstream_error';
        res.stream.close(upstream.rstCode || NGHTTP2_CANCEL);
        return;
      }
      this.fail(res, exchange, 'instance closed the stream', `rst_${upstream.rstCode}`);
    });
  }

  private respond(
    res: Http2ServerResponse,
    exchange: Exchange,
    target: RouteTarget,
    headers: IncomingHttpHeaders,
    endStream: boolean,
  ): void {
    if (res.destroyed || res.headersSent) return;
    const out: OutgoingHttpHeaders = withoutPseudo(headers);
    out[HANDLING_INSTANCE_HEADER] = target.instanceId;
    out[HANDLING_DEPLOYMENT_HEADER] = exchange.route.deploymentId;
    // Trailers-only (the call failed at once): the gRPC status came in the headers. The client
    // gets headers then trailers, which gRPC reads the same way.
    if (endStream) {
      const trailers: OutgoingHttpHeaders = {};
      for (const name of GRPC_STATUS_HEADERS) {
        if (out[name] === undefined) continue;
        trailers[name] = out[name];
        delete out[name];
      }
      res.addTrailers(trailers);
    }
    res.writeHead(Number(headers[':status'] ?? 502), out);
    if (endStream) res.end();
  }

  private onError(res: Http2ServerResponse, exchange: Exchange, target: RouteTarget, err: Error): void {
    if (exchange.outcome !== undefined || res.destroyed) return;
    const code = codeOf(err);
    this.options.metrics.upstreamErrors.inc({ reason: code });
    if (exchange.attempt?.responded === true) {
      exchange.outcome = 'upstream_error';
      res.stream.close(NGHTTP2_CANCEL);
      return;
    }
    const failure = {
      code,
      method: 'POST',
      attempts: 1,
      responded: false,
      timedOut: false,
      bodyReplayable: false,
    };
    if (marksDown(failure)) {
      this.options.upstreams.discard(target);
      this.options.reportDown(exchange.route.deploymentId, target, code);
    }
    this.fail(res, exchange, 'instance could not be reached', code);
  }

  private fail(
    res: Http2ServerResponse,
    exchange: Exchange,
    message: string,
    reason: string | undefined,
  ): void {
    exchange.outcome ??= exchange.attempt === undefined ? 'no_instance' : 'upstream_error';
    if (res.headersSent) return;
    const instance = exchange.attempt?.target.instanceId;
    res.setHeader(HANDLING_DEPLOYMENT_HEADER, exchange.route.deploymentId);
    if (instance !== undefined) res.setHeader(HANDLING_INSTANCE_HEADER, instance);
    sendError(
      res as never,
      'WHARF_UNAVAILABLE',
      message,
      {
        deployment: exchange.route.deploymentId,
        instance: instance ?? null,
        attempts: exchange.attempts,
        reason: reason ?? null,
      },
      502,
    );
  }
}

/** The client's headers for the instance: pseudo-headers kept (`:scheme` is the hop's), `X-Forwarded-*` added. */
function upstreamHeaders(req: Http2ServerRequest): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (DROPPED_REQUEST_HEADERS.has(name) || value === undefined) continue;
    out[name] = value;
  }
  const authority = req.headers[':authority'] ?? req.headers.host;
  out[':authority'] = authority;
  out[':scheme'] = 'http';
  const client = req.socket.remoteAddress ?? '';
  const forwarded = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = forwarded === undefined ? client : `${String(forwarded)}, ${client}`;
  out['x-forwarded-proto'] ??= (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  out['x-forwarded-host'] ??= authority;
  return out;
}

function withoutPseudo(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.charCodeAt(0) !== 58 && value !== undefined) out[name] = value;
  }
  return out;
}

/** The error's code; for a stream cancelled by its session's failure, the session's (`ECONNREFUSED`). */
function codeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.length <= 32 ? code : 'EUNKNOWN';
}
