/**
 * The director's own ZooKeeper server, a member of the installation's ensemble (ECE's directors
 * run the quorum). The first director bootstraps a quorum of one; every later director starts its
 * server with the current membership plus itself — it syncs from the leader as a learner — and
 * then has the ensemble `reconfig -add` it. Membership lives only in ZooKeeper
 * (`/zookeeper/config`): a restarted member keeps the configuration its server last wrote, and
 * a director that leaves is removed by the others' quorum before its server stops.
 */
import { type Logger } from '@wharf/observability';
import {
  EmbeddedZooKeeper,
  readEnsembleConfig,
  reconfigureEnsemble,
  type EnsembleConfig,
  type EnsembleServer,
} from '@wharf/zk';

/** Options of {@link ZooKeeperMember}. */
export interface ZooKeeperMemberOptions {
  /** The server's data directory (snapshots, logs, myid, its configuration). */
  readonly dataDir: string;
  /** This director's server: its id and ports. */
  readonly self: EnsembleServer;
  /** Client connect string of the ensemble to join; absent for the bootstrap director. */
  readonly join?: string;
  /** Digest super user's password, shared by the directors (reconfiguration is super-user only). */
  readonly superPassword: string;
  readonly logger: Logger;
}

/** A director's ZooKeeper server in the ensemble. */
export class ZooKeeperMember {
  #server: EmbeddedZooKeeper | undefined;
  #members: EnsembleServer[] = [];

  constructor(private readonly options: ZooKeeperMemberOptions) {}

  /** This member's client address. */
  get connectString(): string {
    return `${this.options.self.host}:${this.options.self.clientPort}`;
  }

  /** The membership as last seen by {@link start} or a reconfiguration. */
  get members(): readonly EnsembleServer[] {
    return this.#members;
  }

  /** The server process once started (tests kill and restart it). */
  get server(): EmbeddedZooKeeper | undefined {
    return this.#server;
  }

  /** Starts the server and, when joining, adds it to the ensemble. Idempotent across restarts. */
  async start(): Promise<EnsembleConfig> {
    const { self, join, superPassword, logger } = this.options;
    const current = join === undefined ? [] : (await readEnsembleConfig(join)).servers;
    const already = current.some((s) => s.id === self.id);
    const others = current.filter((s) => s.id !== self.id);
    const server = new EmbeddedZooKeeper({
      dataDir: this.options.dataDir,
      host: self.host,
      port: self.clientPort,
      ensemble: { myId: self.id, servers: [...others, self], superPassword },
    });
    this.#server = server;
    await server.start();
    let config: EnsembleConfig = { servers: [...others, self], version: null };
    if (join !== undefined && !already) {
      config = await reconfigureEnsemble({ connectString: join, add: [self], superPassword });
      logger.info('zookeeper member joined the ensemble', {
        id: self.id,
        members: config.servers.map((s) => s.id),
      });
    } else {
      logger.info('zookeeper member started', { id: self.id, bootstrap: join === undefined });
    }
    this.#members = config.servers;
    return config;
  }

  /** Removes this member from the ensemble (through the others' quorum), then stops its server. */
  async leave(): Promise<EnsembleConfig> {
    const { self, superPassword, logger } = this.options;
    const others = this.#members.filter((s) => s.id !== self.id);
    const config = await reconfigureEnsemble({
      connectString: others.map((s) => `${s.host}:${s.clientPort}`).join(','),
      remove: [self.id],
      superPassword,
    });
    await this.#server?.stop();
    this.#members = config.servers;
    logger.info('zookeeper member left the ensemble', {
      id: self.id,
      members: config.servers.map((s) => s.id),
    });
    return config;
  }

  /** Stops the server, staying a member (a restart rejoins with its data). */
  async stop(): Promise<void> {
    await this.#server?.stop();
  }
}
