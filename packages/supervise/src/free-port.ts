/** Free TCP ports, picked by the OS. */
import { createServer } from 'node:net';

/** The loopback address ports are picked and checked on by default. */
export const LOOPBACK = '127.0.0.1';

/**
 * A port that was free on `host` a moment ago (the OS picks it by binding port 0). Another process
 * could take it before the caller binds; callers that start a server on it must cope (restart).
 */
export function freePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** `count` distinct free ports, none of them in `avoid`. */
export async function freePorts(
  count: number,
  avoid: readonly number[] = [],
  host = LOOPBACK,
): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort(host);
    if (!avoid.includes(port)) ports.add(port);
  }
  return [...ports];
}

/** True when nothing listens on `port` at `host` (we could bind it just now). */
export function isPortFree(port: number, host: string = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
