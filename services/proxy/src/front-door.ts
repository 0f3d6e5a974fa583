/**
 * How a client connection reaches the server that speaks its protocol. Both ports share one
 * HTTP/1.1 server (with the request and upgrade listeners) and one HTTP/2 server:
 *
 * ```
 * plain port ─▶ http.Server 'connection' ─▶ sniff first bytes ─┬ "PRI * HTTP/2.0…" ─▶ http2 server (h2c)
 *                                                              └ anything else    ─▶ HTTP/1.1 parser
 * TLS port ───▶ tls.Server (SNI, ALPN) ─┬ ALPN h2               ─▶ http2 server
 *                                       └ http/1.1 or no ALPN   ─▶ http.Server 'connection'
 * ```
 *
 * The plain port is the HTTP/1.1 server's own listening socket, so its connection tracking
 * (`closeIdleConnections`, drain) covers every HTTP/1.1 connection, TLS ones included.
 */
import http from 'node:http';
import http2, { type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

/** The HTTP/2 connection preface (RFC 9113 §3.4): what an h2c prior-knowledge client sends first. */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/**
 * A connection that has not sent enough bytes to tell its protocol within this long is closed.
 * The same order as a load balancer's connect-to-first-byte limit; the HTTP/1.1 parser's own
 * header timeout takes over once the protocol is known.
 */
export const SNIFF_TIMEOUT_MS = 10_000;

/** What the first bytes of a plain connection say. Pure. */
export function sniffProtocol(bytes: Buffer): 'h2' | 'http1' | 'more' {
  const n = Math.min(bytes.length, H2_PREFACE.length);
  if (bytes.compare(H2_PREFACE, 0, n, 0, n) !== 0) return 'http1';
  return n === H2_PREFACE.length ? 'h2' : 'more';
}

/**
 * Replaces `server`'s connection listener with one that hands h2c connections to `h2`.
 * TLS sockets (from {@link createTlsFrontDoor}) already negotiated HTTP/1.1 and skip the sniff.
 */
export function sniffPlainConnections(server: http.Server, h2: http2.Http2Server): void {
  const [http1] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (http1 === undefined) throw new Error('http server has no connection listener');
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    if ((socket as tls.TLSSocket).encrypted === true) return http1.call(server, socket);
    sniff(socket, (protocol, seen) => {
      if (protocol === 'h2') {
        h2.emit('connection', replaying(socket, seen));
        return;
      }
      // Paused before unshift, so the parser (which resumes the socket) reads these bytes first.
      socket.pause();
      socket.unshift(seen);
      http1.call(server, socket);
      socket.resume();
    });
  });
}

function sniff(socket: Socket, decided: (protocol: 'h2' | 'http1', seen: Buffer) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS).unref();
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const protocol = sniffProtocol(seen);
    if (protocol === 'more') return;
    done();
    decided(protocol, seen);
  };
  const done = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', done);
  };
  socket.on('data', onData);
  socket.once('close', done);
}

/**
 * The socket as a stream that first yields the bytes already read. Node's HTTP/2 session reads
 * the socket's native handle, so bytes `unshift`ed into the JS stream (which the HTTP/1.1 parser
 * does see) would be lost to it; a JS stream in between replays them. It costs a copy per chunk,
 * paid by h2c only (the TLS port negotiates h2 before any byte is read).
 */
function replaying(socket: Socket, seen: Buffer): Duplex {
  const stream = new Duplex({
    read: () => socket.resume(),
    write: (chunk: Buffer, _encoding, callback) => socket.write(chunk, callback),
    final: (callback) => socket.end(callback),
    destroy: (err, callback) => {
      socket.destroy(err ?? undefined);
      callback(err);
    },
  });
  stream.push(seen);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once('end', () => stream.push(null));
  socket.once('close', () => stream.destroy());
  socket.on('error', (err) => stream.destroy(err));
  // What the request path reads off `req.socket` (X-Forwarded-For, access logs).
  Object.defineProperties(stream, {
    remoteAddress: { value: socket.remoteAddress },
    remotePort: { value: socket.remotePort },
    encrypted: { value: false },
  });
  return stream;
}

/** Options for {@link createTlsFrontDoor}. */
export interface TlsFrontDoorOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly http1: http.Server;
  readonly h2: http2.Http2Server;
}

/**
 * The TLS port: terminates TLS with the serving certificate (one wildcard for every deployment,
 * so SNI selects nothing here; it is used for routing when `Host` names none) and hands each
 * connection to the server of the protocol ALPN chose.
 */
export function createTlsFrontDoor(options: TlsFrontDoorOptions): tls.Server {
  const server = tls.createServer({
    cert: options.certPem,
    key: options.keyPem,
    ALPNProtocols: ['h2', 'http/1.1'],
    minVersion: 'TLSv1.2',
    // As Node's http server does for its sockets: without it Nagle holds back each response's
    // last small TLS record for the client's delayed ACK (measured: p50 17 ms instead of < 1 ms).
    noDelay: true,
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    if (socket.alpnProtocol === 'h2') options.h2.emit('connection', socket);
    else options.http1.emit('connection', socket);
  });
  // A failed handshake (an untrusting client, a scanner) concerns that connection only.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  return server;
}

/** Options for {@link createProxyServers}. */
export interface ProxyServersOptions {
  /** The request listener both protocols share (HTTP/2 requests arrive as compat objects). */
  readonly listener: http.RequestListener;
  readonly upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly http1: http.ServerOptions;
  /** The TLS port's certificate; absent: no TLS server. */
  readonly tls?: Pick<TlsFrontDoorOptions, 'certPem' | 'keyPem'> | undefined;
}

/** The proxy's servers, wired as in the diagram above; `http1` listens on the plain port. */
export interface ProxyServers {
  readonly http1: http.Server;
  readonly h2: http2.Http2Server;
  readonly tls: tls.Server | undefined;
  /** Open HTTP/2 sessions (both ports), for the drain's GOAWAY. */
  readonly h2Sessions: ReadonlySet<Http2Session>;
}

/** Creates the servers of both ports (none listens yet). */
export function createProxyServers(options: ProxyServersOptions): ProxyServers {
  const http1 = http.createServer(options.http1, options.listener);
  http1.on('upgrade', options.upgrade);
  const h2 = http2.createServer(options.listener as never);
  const h2Sessions = new Set<Http2Session>();
  h2.on('session', (session: Http2Session) => {
    h2Sessions.add(session);
    session.once('close', () => h2Sessions.delete(session));
  });
  sniffPlainConnections(http1, h2);
  const secure = options.tls === undefined ? undefined : createTlsFrontDoor({ ...options.tls, http1, h2 });
  return { http1, h2, tls: secure, h2Sessions };
}
