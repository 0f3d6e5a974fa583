/** A minimal HTTP server for services that have none of their own (constructor, allocator). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObservabilityHandler } from './handler';
import { nullLogger, type Logger } from './logger';

/** Loopback only unless asked: metrics and health details are not for the whole network. */
export const DEFAULT_OBSERVABILITY_HOST = '127.0.0.1';

/** Options for {@link startObservabilityServer}. */
export interface ObservabilityServerOptions {
  /** Interface to bind. Default {@link DEFAULT_OBSERVABILITY_HOST}. */
  host?: string;
  /** Port to bind; 0 picks a free one (see `address`). */
  port: number;
  /** Serves the requests; anything it declines gets a 404. */
  handler: ObservabilityHandler;
  /** Where start and stop are logged. */
  logger?: Logger;
}

/** A running observability server. */
export interface ObservabilityServer {
  /** The bound address, with the real port when 0 was asked for. */
  readonly address: AddressInfo;
  /** `http://host:port` of the bound address. */
  readonly url: string;
  /** Stop listening and drop open connections; safe to call more than once. */
  close(): Promise<void>;
}

const NOT_FOUND_BODY = JSON.stringify({ error: { code: 'WHARF_NOT_FOUND', message: 'not found' } });

/** Start an HTTP server answering with `handler`; resolves once it listens. */
export async function startObservabilityServer(
  options: ObservabilityServerOptions,
): Promise<ObservabilityServer> {
  const { handler, port, host = DEFAULT_OBSERVABILITY_HOST } = options;
  const logger = options.logger ?? nullLogger;
  const server = createServer((req, res) => {
    if (handler(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' }).end(NOT_FOUND_BODY);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  logger.info('observability server listening', { url });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Prometheus keeps scrape connections alive; without this close() waits for them to idle out.
      server.closeAllConnections();
    }).then(() => logger.info('observability server closed', { url }));
    return closing;
  };
  return { address, url, close };
}
