/**
 * `Upgrade` pass-through (WebSocket and any other HTTP/1.1 upgrade) on both ports: the request is
 * routed like any other, its head is written to a fresh connection to the instance (hop-by-hop
 * headers kept: `Connection: Upgrade` and `Upgrade` are the point), and from then on the proxy
 * copies bytes both ways until either side closes. The instance's `101` (or its refusal) reaches
 * the client verbatim. An upgraded connection is not a request any more: it is counted once
 * (outcome `upgraded`) and cut when the proxy finishes draining.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '@wharf/observability';
import type { Balancer } from './balancer';
import type { ProxyMetrics } from './metrics';
import { toDetails } from './responses';
import type { RouteTable, RouteTarget } from './route-table';
import { routingKeyOfRequest } from './routing-key';
import { CONNECT_TIMEOUT_MS } from './upstream-agent';

/** Options for {@link UpgradeRelay}. */
export interface UpgradeRelayOptions {
  readonly domain: string;
  readonly table: () => RouteTable | undefined;
  readonly balancer: Balancer;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  readonly reportDown: (deploymentId: string, target: RouteTarget, code: string) => void;
}

/** Relays upgraded connections; `close()` cuts the ones still open. */
export class UpgradeRelay {
  private readonly open = new Set<Duplex>();

  constructor(private readonly options: UpgradeRelayOptions) {}

  /** The http server's `'upgrade'` listener. */
  readonly listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const key = routingKeyOfRequest(req, this.options.domain);
    const route = key.kind === 'deployment' ? this.options.table()?.routes.get(key.deploymentId) : undefined;
    if (route === undefined) return this.refuse(socket, 404, 'WHARF_NOT_FOUND', 'no such deployment');
    const target = this.options.balancer.pick(route);
    if (target === undefined) return this.refuse(socket, 502, 'WHARF_UNAVAILABLE', 'no healthy instance');
    const upstream = net.connect({ host: target.host, port: target.port });
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(codedError('WHARF_CONNECT_TIMEOUT')));
    let connected = false;
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // After the connect, a broken tunnel just ends both sides (the client sees the close).
      if (connected) return socket.destroy();
      const code = err.code ?? 'EUNKNOWN';
      this.options.metrics.upstreamErrors.inc({ reason: code });
      if (code === 'ECONNREFUSED' || code === 'WHARF_CONNECT_TIMEOUT') {
        this.options.reportDown(route.deploymentId, target, code);
      }
      this.refuse(socket, 502, 'WHARF_UNAVAILABLE', 'instance could not be reached');
    });
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      upstream.write(requestHead(req));
      if (head.length > 0) upstream.write(head);
      this.track(socket, upstream);
      this.options.metrics.requests.inc({ outcome: 'upgraded', status_class: '1xx' });
    });
    socket.once('close', () => upstream.destroy());
  };

  /** Cuts every upgraded connection still open (the end of a drain). */
  close(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  private track(socket: Duplex, upstream: net.Socket): void {
    this.open.add(socket);
    upstream.pipe(socket);
    socket.pipe(upstream);
    upstream.once('close', () => socket.destroy());
    socket.once('close', () => this.open.delete(socket));
  }

  private refuse(socket: Duplex, status: number, code: string, message: string): void {
    if (!socket.writable) return;
    const body = JSON.stringify({ error: { code, message, details: toDetails({}) } });
    socket.end(
      `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Gateway'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  }
}

/**
 * The request line and headers as the instance must see them. Node's parser has already refused
 * CR/LF in the method, target and header values, so writing them back is safe.
 */
export function requestHead(req: IncomingMessage): string {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  const raw = req.rawHeaders;
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'x-forwarded-for') forwardedFor = raw[i + 1];
    else lines.push(`${raw[i]!}: ${raw[i + 1]!}`);
  }
  const client = req.socket.remoteAddress ?? '';
  lines.push(`x-forwarded-for: ${forwardedFor === undefined ? client : `${forwardedFor}, ${client}`}`);
  if (req.headers['x-forwarded-proto'] === undefined) {
    lines.push(`x-forwarded-proto: ${(req.socket as TLSSocket).encrypted ? 'https' : 'http'}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function codedError(code: string): Error {
  return Object.assign(new Error(code), { code });
}
