import { type Socket } from 'node:net';
import { connectTls, type CompiledZkTls } from './tls';

/*
 * node-zookeeper-client 1.1.3 has no TLS: ConnectionManager.prototype.connect() calls
 * `net.connect(server)` from a module-scoped `net`, with no socket factory option. The library is
 * pinned exactly (see raw-client.ts), so we replace `connect` on the instance with a copy of its
 * 20 lines that opens a `tls.connect` socket instead. Everything above the socket — framing,
 * pings, the ConnectRequest, re-sent watches, reconnects (which call `this.connect()`, i.e. ours)
 * — is the library's own code, unchanged. This avoids a per-process TLS tunnel (ECE's stunnel):
 * no extra hop, no extra port to protect, and ZooKeeper sees each client's own certificate.
 */

/** The library's `STATES.CONNECTING` (lib/ConnectionManager.js). */
const LIBRARY_STATE_CONNECTING = 1;

/** The private ConnectionManager members the TLS `connect` replacement uses (library 1.1.3). */
export interface ConnectionManagerTransport {
  socket?: Socket;
  connectTimeoutHandler?: NodeJS.Timeout | null;
  connectTimeout: number;
  connect: () => void;
  setState: (state: number) => void;
  findNextServer: (cb: (server: { host: string; port: number }) => void) => void;
  onSocketConnected: (...args: unknown[]) => unknown;
  onSocketConnectTimeout: () => void;
  onSocketData: (data: Buffer) => void;
  onSocketDrain: () => void;
  onSocketClosed: (hadError: boolean) => void;
  onSocketError: (err: Error) => void;
}

/**
 * Makes `cm` connect over mutual TLS. `onTransportError` sees every socket error (refused
 * certificate, unknown CA, reset) before the library turns it into a silent reconnect.
 */
export function installTlsTransport(
  cm: ConnectionManagerTransport,
  tls: CompiledZkTls,
  onTransportError: (err: NodeJS.ErrnoException, server: string) => void,
): void {
  cm.connect = () => {
    cm.setState(LIBRARY_STATE_CONNECTING);
    cm.findNextServer((server) => {
      const socket = connectTls(server.host, server.port, tls);
      cm.socket = socket;
      // The library's connect deadline now covers TCP *and* the TLS handshake.
      cm.connectTimeoutHandler = setTimeout(() => cm.onSocketConnectTimeout(), cm.connectTimeout);
      socket.setNoDelay();
      // 'secureConnect', not 'connect': the ConnectRequest goes out once the handshake is done.
      // Looked up per socket, so raw-client's handshake-deadline wrapper applies.
      socket.on('secureConnect', (...args: unknown[]) => cm.onSocketConnected(...args));
      socket.on('data', (data: Buffer) => cm.onSocketData(data));
      socket.on('drain', () => cm.onSocketDrain());
      socket.on('close', (hadError: boolean) => cm.onSocketClosed(hadError));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        onTransportError(err, `${server.host}:${server.port}`);
        cm.onSocketError(err);
      });
    });
  };
}
