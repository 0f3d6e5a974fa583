/** Free loopback ports for the services' observability servers. */
import { createServer } from 'node:net';
import { LOOPBACK } from '../config/up-config';

/**
 * A port that was free a moment ago (the OS picks it by binding port 0). Another process could
 * take it before the service binds; the service then fails, and the supervisor's restart reports it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, avoid: readonly number[] = []): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!avoid.includes(port)) ports.add(port);
  }
  return [...ports];
}

/** True when nothing listens on `port` on the loopback address (we could bind it just now). */
export function isPortFree(port: number, host: string = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
