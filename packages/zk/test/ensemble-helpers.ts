import {
  EmbeddedZooKeeper,
  ensembleConnectString,
  fourLetterWord,
  reconfigureEnsemble,
  type EnsembleServer,
} from '@wharf/zk';

/*
 * A real ZooKeeper ensemble on loopback for integration tests: member n uses three ports of one
 * `freePorts` call, its data under `dataDir()/zk-n`; grown one member at a time by dynamic
 * reconfiguration, as directors join. Every JVM started here is killed by `killAll()`.
 */

/** The digest super user's password of test ensembles (reconfiguration needs it). */
export const SUPER_PASSWORD = 'test-super-password';

/** Members of a test ensemble and the servers that run them, in start order. */
export class TestEnsemble {
  /** Every server started, in start order (member n is `servers[n - 1]` when grown in order). */
  readonly servers: EmbeddedZooKeeper[] = [];

  /** `ports`: three per member (quorum, election, client), member 1 first. */
  constructor(
    private readonly ports: readonly number[],
    private readonly dataDir: () => string,
  ) {}

  /** Member `id`'s addresses (1-based). */
  member(id: number): EnsembleServer {
    const [quorumPort, electionPort, clientPort] = this.ports.slice((id - 1) * 3, id * 3);
    if (clientPort === undefined) throw new Error(`no ports for member ${id}`);
    return { id, host: '127.0.0.1', quorumPort: quorumPort!, electionPort: electionPort!, clientPort };
  }

  /** Starts `self`'s server with the membership `current` plus itself. */
  async startMember(self: EnsembleServer, current: readonly EnsembleServer[]): Promise<EmbeddedZooKeeper> {
    const server = new EmbeddedZooKeeper({
      dataDir: `${this.dataDir()}/zk-${self.id}`,
      port: self.clientPort,
      ensemble: { myId: self.id, servers: [...current, self], superPassword: SUPER_PASSWORD },
    });
    this.servers.push(server);
    await server.start();
    return server;
  }

  /** Starts member `id` and adds it by `reconfig -add` through `members` (appended to them). */
  async join(id: number, members: EnsembleServer[]): Promise<void> {
    const joining = this.member(id);
    await this.startMember(joining, members);
    await reconfigureEnsemble({
      connectString: ensembleConnectString(members),
      add: [joining],
      superPassword: SUPER_PASSWORD,
    });
    members.push(joining);
  }

  /** SIGKILLs every server started. */
  async killAll(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill()));
  }
}

/** `leader`, `follower`, … from the `srvr` four-letter word; null when the server does not answer. */
export async function serverMode(server: EmbeddedZooKeeper): Promise<string | null> {
  const srvr = await fourLetterWord(server.host, server.port, 'srvr', 1000);
  return /Mode: (\w+)/.exec(srvr ?? '')?.[1] ?? null;
}
