/** Real etcd, a WebSocket echo upstream, /etc/hosts names and HTTP/2 requests for tls-h2.test.ts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { freePorts, waitFor } from '@wharf/testkit';

/** A single-member etcd on loopback (its client port speaks h2c gRPC and HTTP/1.1). */
export interface TestEtcd {
  readonly clientPort: number;
  close(): Promise<void>;
}

/** Starts `/usr/bin/etcd` on two free ports with its data in `dataDir`. */
export async function startEtcd(dataDir: string): Promise<TestEtcd> {
  const [clientPort, peerPort] = await freePorts(2);
  const client = `http://127.0.0.1:${clientPort!}`;
  const peer = `http://127.0.0.1:${peerPort!}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name=proxy-tls-test',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=proxy-tls-test=${peer}`,
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const req = http.get(`${client}/health`, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
      }),
    { timeoutMs: 15_000, message: 'etcd healthy' },
  );
  return {
    clientPort: clientPort!,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Makes `name` resolve to 127.0.0.1 for clients that resolve names themselves (Go's resolver does
 * not map `*.localhost` to loopback as curl does) by adding an /etc/hosts line; root only.
 * Returns the function that removes exactly that line.
 */
export async function addHostsEntry(name: string): Promise<() => Promise<void>> {
  const line = `127.0.0.1 ${name} # wharf proxy test ${process.pid}`;
  const current = await readFile('/etc/hosts', 'utf8');
  await writeFile('/etc/hosts', `${current.replace(/\n?$/, '\n')}${line}\n`);
  return async () => {
    const now = await readFile('/etc/hosts', 'utf8');
    await writeFile(
      '/etc/hosts',
      now
        .split('\n')
        .filter((l) => l !== line)
        .join('\n'),
    );
  };
}

/** An upstream that accepts any `Upgrade` with 101 and then echoes every byte back. */
export async function startEchoUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end('not an upgrade'));
  server.on('upgrade', (req: http.IncomingMessage, socket) => {
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What {@link h2Request} returns. */
export interface H2Reply {
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: string;
  /** ALPN protocol of the connection (`h2`, or `h2c` for prior knowledge). */
  readonly protocol: string | undefined;
}

/** One HTTP/2 request: `https://` negotiates h2 by ALPN, `http://` is h2c with prior knowledge. */
export async function h2Request(
  origin: string,
  authority: string,
  path: string,
  options: http2.SecureClientSessionOptions = {},
): Promise<H2Reply> {
  const session = http2.connect(origin, options);
  try {
    return await new Promise<H2Reply>((resolve, reject) => {
      session.once('error', reject);
      const req = session.request({ ':authority': authority, ':path': path });
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.once('error', reject);
      req.once('response', (headers) =>
        req.once('end', () => resolve({ headers, body, protocol: session.alpnProtocol })),
      );
      req.end();
    });
  } finally {
    session.close();
  }
}

/**
 * The serial number (upper-case hex, as `X509Certificate.serialNumber`) of the certificate a new
 * TLS connection to `port` is served. Not verified: the tests compare it with what they issued.
 */
export function servedSerial(port: number, servername = 'dep1.wharf.test'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const serial = socket.getPeerX509Certificate()?.serialNumber;
      socket.end();
      if (serial === undefined) reject(new Error('no certificate served'));
      else resolve(serial);
    });
    socket.once('error', reject);
  });
}
