/** The host side of port allocation: is a port free on an address right now (bind test)? */
import { createServer } from 'node:net';
import { type PortCheck } from './ports';

/** A {@link PortCheck} that binds `host:port` briefly and reports whether that worked. */
export function bindCheck(host: string): PortCheck {
  return (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen({ host, port, exclusive: true }, () => {
        server.close(() => resolve(true));
      });
    });
}
