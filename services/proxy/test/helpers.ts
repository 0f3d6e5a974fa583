/** Real HTTP upstreams, a small client and route writes for the proxy's integration tests. */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { paths, serializeDocument, type RouteEntry } from '@wharf/model';
import type { ZkSession } from '@wharf/zk';

/** A loopback HTTP server standing in for an instance; it counts connections and requests. */
export interface Upstream {
  readonly name: string;
  readonly port: number;
  readonly connections: number;
  readonly requests: number;
  /** Makes the next responses wait this long (ms). */
  delayMs: number;
  close(): Promise<void>;
}

/** Starts an upstream on a free loopback port that answers `{ instance, method, url, headers }`. */
export async function startUpstream(name: string): Promise<Upstream> {
  let connections = 0;
  let requests = 0;
  const upstream = {
    name,
    port: 0,
    delayMs: 0,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        instance: name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const send = () => {
        res.setHeader('content-type', 'application/json');
        res.end(body);
      };
      if (upstream.delayMs > 0) setTimeout(send, upstream.delayMs);
      else send();
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.port = (server.address() as AddressInfo).port;
  return upstream;
}

/** A port that refuses connections (bound, then released). */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What {@link request} returns. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions reach into arbitrary JSON
  readonly json: any;
}

/** Options for {@link request}. */
export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent | false;
}

/** One HTTP request to the proxy at `port`. */
export function request(port: number, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Creates or overwrites the route document of `entry`'s deployment. */
export async function writeRoute(session: ZkSession, entry: RouteEntry): Promise<void> {
  const path = paths.route(entry.deployment_id);
  const data = serializeDocument('route', entry);
  if ((await session.exists(path)) === null) await session.create(path, data);
  else await session.set(path, data, -1);
}
