import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host` (the OS picks it by binding port 0). Another
 * process could take it before you bind: good enough for tests, not for production.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
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
