/**
 * A loopback TCP forwarder that a test can cut and heal: the network partition between one
 * ZooKeeper client and the server, without touching the server other clients use.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A cuttable TCP forwarder to `127.0.0.1:<targetPort>`. */
export class TcpGate {
  private readonly sockets = new Set<Socket>();
  private open = true;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a forwarder on a free loopback port. */
  static async start(targetPort: number): Promise<TcpGate> {
    const server = createServer();
    const gate = new TcpGate(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return gate;
  }

  /** `127.0.0.1:<port>` of the forwarder. */
  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops every connection and refuses new ones until {@link heal}. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Accepts connections again. */
  heal(): void {
    this.open = true;
  }

  /** Stops listening and drops everything. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (!this.open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }
}
