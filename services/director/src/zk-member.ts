/**
 * The director's own ZooKeeper server, a member of the installation's ensemble (ECE's directors
 * run the quorum). The first director bootstraps a quorum of one; every later director starts its
 * server with the current membership plus itself — it syncs from the leader as a learner — and
 * then has the ensemble `reconfig -add` it. Membership lives only in ZooKeeper
 * (`/zookeeper/config`): a restarted member keeps the configuration its server last wrote, and
 * a director that leaves is removed by the others' quorum before its server stops.
 *
 * The director owns the server process: should it die (a crash, a SIGKILL), the member starts it
 * again on the same ports and data, with back-off, until {@link ZooKeeperMember.stop}.
 *
 * A member removed by the others (`wharf director remove`, see member-removal.ts) notices it —
 * while it runs, from the serving members' `conf` every {@link MEMBER_VIEW_INTERVAL_MS}; after a
 * restart, before its server starts — stops its server for good and tells the director.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger } from '@wharf/observability';
import {
  type CompiledZkTls,
  EmbeddedZooKeeper,
  type EmbeddedZooKeeperOptions,
  KEYSTORE_FILE,
  TLS_DIR,
  TRUSTSTORE_FILE,
  readEnsembleConfig,
  reconfigureEnsemble,
  type EmbeddedZooKeeperTls,
  type EnsembleConfig,
  type EnsembleServer,
  type ReconfigureTls,
  type ZkTlsOptions,
  compileZkTls,
} from '@wharf/zk';
import { joinEnsemble } from './member-join';
import {
  lastKnownMembers,
  markListed,
  markRemoved,
  removedFrom,
  servingView,
  wasListed,
  wasRemoved,
} from './member-removal';

/**
 * A member's first start waits for the quorum it belongs to: after a full stop every member
 * comes back at once and none serves before a majority is up, JVM starts included (1–3 s each on
 * a busy 2-core box), so give it a minute rather than a standalone server's 20 s.
 */
export const MEMBER_START_TIMEOUT_MS = 60_000;
/** How often the member checks that its server process still runs. */
export const MEMBER_WATCH_INTERVAL_MS = 500;
/** First delay before restarting a server that died; doubled per quick failure. */
export const MEMBER_RESTART_MIN_MS = 500;
/** Longest delay between restarts of a server that keeps dying. */
export const MEMBER_RESTART_MAX_MS = 30_000;
/** A server that ran this long before dying restarts after the shortest delay again. */
export const MEMBER_STABLE_MS = 60_000;
/**
 * How often a running member reads the membership from the others (`conf`, no session): how soon
 * a removed member stops serving, and how fresh the server list of the quorum checks is.
 */
export const MEMBER_VIEW_INTERVAL_MS = 2_000;
/** How long a stale server (left by a director that was SIGKILLed) gets to die after SIGKILL. */
const STALE_KILL_WAIT_MS = 5_000;

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
  /**
   * Secure mode: the member serves its clients on TLS only, speaks TLS to the other members
   * (`sslQuorum`), and uses the same certificate (a `peer` one naming its address) as a client
   * to read the configuration and reconfigure.
   */
  readonly tls?: EmbeddedZooKeeperTls;
  readonly logger: Logger;
  /** Restart the server when its process dies (default true; tests that kill it on purpose turn it off). */
  readonly keepAlive?: boolean;
  /** Called once when the member finds it was removed (its server is stopped by then). */
  readonly onRemoved?: (config: EnsembleConfig) => void;
}

/**
 * `stopped` → `starting` → `running` → `stopping` → `stopped`; `starting` or `running` →
 * `removed` (final: the others took it out of the ensemble).
 */
export type ZooKeeperMemberState = 'stopped' | 'starting' | 'running' | 'stopping' | 'removed';

/** A director's ZooKeeper server in the ensemble. */
export class ZooKeeperMember {
  #server: EmbeddedZooKeeper | undefined;
  #members: EnsembleServer[] = [];
  #state: ZooKeeperMemberState = 'stopped';
  #watch: NodeJS.Timeout | undefined;
  #restartDelayMs = MEMBER_RESTART_MIN_MS;
  #startedAt = 0;
  #restarting = false;
  #viewedAt = 0;
  #probeTls: CompiledZkTls | undefined;
  #tls: EmbeddedZooKeeperTls | undefined;
  #serverOptions: EmbeddedZooKeeperOptions | undefined;

  constructor(private readonly options: ZooKeeperMemberOptions) {
    this.#tls = options.tls;
    this.#probeTls = compileZkTls(this.clientTls) ?? undefined;
  }

  /** The member's own certificate as a client of the ensemble (undefined in plain mode). */
  private get clientTls(): ZkTlsOptions | undefined {
    const tls = this.#tls;
    return tls === undefined ? undefined : { ca: tls.ca, cert: tls.cert, key: tls.key };
  }

  /** The reconfiguration tool's stores: those the server wrote under its data directory. */
  private get reconfigureTls(): { tls: ReconfigureTls } | Record<string, never> {
    const session = this.clientTls;
    if (session === undefined) return {};
    const dir = join(this.options.dataDir, TLS_DIR);
    return {
      tls: { keyStore: join(dir, KEYSTORE_FILE), trustStore: join(dir, TRUSTSTORE_FILE), session },
    };
  }

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

  /** The member's state. */
  get state(): ZooKeeperMemberState {
    return this.#state;
  }

  /**
   * Starts the server and, when joining, adds it to the ensemble. A member that has run before
   * (its `myid` is on disk) starts from the configuration its server last wrote — it may be the
   * quorum the joining address would need — and asks to be added only if it is not listed.
   */
  async start(): Promise<EnsembleConfig> {
    const { self, join: joinAt, superPassword, logger, dataDir } = this.options;
    this.#state = 'starting';
    const restarted = existsSync(join(dataDir, 'myid'));
    await killStaleServer(dataDir, logger);
    if (restarted && (await this.removedWhileAway())) return { servers: [], version: null };
    const current =
      joinAt === undefined || restarted ? [] : (await readEnsembleConfig(joinAt, this.clientTls)).servers;
    const others = current.filter((s) => s.id !== self.id);
    this.#serverOptions = {
      dataDir,
      host: self.host,
      port: self.clientPort,
      startTimeoutMs: MEMBER_START_TIMEOUT_MS,
      ...(this.#tls === undefined ? {} : { tls: this.#tls }),
      ensemble: { myId: self.id, servers: [...others, self], superPassword },
    };
    const server = new EmbeddedZooKeeper(this.#serverOptions);
    this.#server = server;
    await server.start();
    this.#startedAt = Date.now();
    let config: EnsembleConfig = { servers: [...others, self], version: null };
    if (joinAt !== undefined) config = await this.joinUnlessListed(joinAt, restarted, current);
    else logger.info('zookeeper member started', { id: self.id, bootstrap: !restarted, pid: server.pid });
    const listed = config.servers.some((s) => s.id === self.id);
    if (!listed && restarted && wasListed(dataDir)) {
      await this.removed(config);
      return config;
    }
    this.#members = config.servers;
    if (listed) await markListed(dataDir);
    this.#state = 'running';
    this.#viewedAt = Date.now();
    if (this.options.keepAlive !== false) this.watch();
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
      ...this.reconfigureTls,
    });
    await this.stop();
    await markRemoved(this.options.dataDir, config);
    this.#members = config.servers;
    logger.info('zookeeper member left the ensemble', {
      id: self.id,
      members: config.servers.map((s) => s.id),
    });
    return config;
  }

  /**
   * Restarts the server with a new certificate (a rotation): ZooKeeper 3.8.0 reads its client
   * port's key store once (`client.certReload` came in 3.8.1), so the new one is served from the
   * restart on. The member stays in the ensemble (same id, data and membership); the others keep
   * the quorum meanwhile — one member at a time is the caller's rule. Resolves once it serves.
   */
  async restartWithTls(tls: EmbeddedZooKeeperTls): Promise<void> {
    if (this.#state !== 'running' || this.#serverOptions === undefined) return;
    this.#restarting = true;
    try {
      await this.#server?.stop();
      this.#tls = tls;
      this.#probeTls = compileZkTls(this.clientTls) ?? undefined;
      this.#serverOptions = { ...this.#serverOptions, tls };
      const server = new EmbeddedZooKeeper(this.#serverOptions);
      this.#server = server;
      await server.start();
      this.#startedAt = Date.now();
      this.options.logger.info('zookeeper server restarted with a new certificate', {
        id: this.options.self.id,
        pid: server.pid,
      });
    } finally {
      this.#restarting = false;
    }
  }

  /** The certificate the server serves (PEM; undefined in plain mode). */
  get certificate(): string | undefined {
    const cert = this.#tls?.cert;
    return cert === undefined ? undefined : String(cert);
  }

  /** Stops the server, staying a member (a restart rejoins with its data). Idempotent. */
  async stop(): Promise<void> {
    this.#state = 'stopping';
    clearTimeout(this.#watch);
    await this.#server?.stop();
    this.#state = 'stopped';
  }

  private async joinUnlessListed(
    joinAt: string,
    restarted: boolean,
    seen: readonly EnsembleServer[],
  ): Promise<EnsembleConfig> {
    const { self, superPassword, logger } = this.options;
    const current = restarted ? (await readEnsembleConfig(this.connectString, this.clientTls)).servers : seen;
    // A member listed once and not now was removed: it must not add itself back.
    if (current.some((s) => s.id === self.id) || (restarted && wasListed(this.options.dataDir))) {
      logger.info('zookeeper member started', { id: self.id, members: current.map((s) => s.id) });
      return { servers: [...current], version: null };
    }
    const tls = this.reconfigureTls;
    return joinEnsemble({
      self,
      joinAt,
      superPassword,
      ...(this.clientTls === undefined ? {} : { clientTls: this.clientTls }),
      ...(this.#probeTls === undefined ? {} : { probeTls: this.#probeTls }),
      ...('tls' in tls ? { reconfigureTls: tls.tls } : {}),
      logger,
    });
  }

  /**
   * Before a (re)start of its server: a listed member that the serving others no longer list was
   * removed while it was down — it stays out (no server, no reconfig `-add`).
   */
  private async removedWhileAway(): Promise<boolean> {
    const { dataDir, self } = this.options;
    if (wasRemoved(dataDir)) {
      this.#state = 'removed';
      this.options.logger.warn('zookeeper member was removed from the ensemble; not starting', {
        id: self.id,
      });
      return true;
    }
    const known = this.#members.length > 0 ? this.#members : await lastKnownMembers(dataDir, self.clientPort);
    const others = known.filter((s) => s.id !== self.id);
    const view = await servingView(others, this.#probeTls);
    if (view === null || !removedFrom(view, self.id, wasListed(dataDir))) return false;
    await this.removed(view);
    return true;
  }

  /** A running member reads the membership from the others: removed, or the new member list. */
  private async refreshView(): Promise<void> {
    const { self, dataDir } = this.options;
    this.#viewedAt = Date.now();
    // Its own server first: the bootstrap member starts knowing only itself and learns the
    // joiners from the committed configuration it serves.
    const others = this.#members.filter((s) => s.id !== self.id);
    const view = await servingView([self, ...others], this.#probeTls);
    if (view === null || this.#state !== 'running') return;
    if (removedFrom(view, self.id, wasListed(dataDir))) await this.removed(view);
    else this.#members = view.servers;
  }

  private async removed(config: EnsembleConfig): Promise<void> {
    const { self, dataDir, logger } = this.options;
    this.#state = 'removed';
    clearTimeout(this.#watch);
    await this.#server?.stop();
    await markRemoved(dataDir, config);
    this.#members = [];
    logger.warn('zookeeper member removed from the ensemble; server stopped', {
      id: self.id,
      members: config.servers.map((s) => s.id),
      version: config.version,
    });
    this.options.onRemoved?.(config);
  }

  /** Checks the server process every {@link MEMBER_WATCH_INTERVAL_MS} until stopped. */
  private watch(): void {
    clearTimeout(this.#watch);
    this.#watch = setTimeout(() => {
      void this.check().finally(() => {
        if (this.#state === 'running') this.watch();
      });
    }, MEMBER_WATCH_INTERVAL_MS);
    this.#watch.unref();
  }

  private async check(): Promise<void> {
    const server = this.#server;
    if (server === undefined || this.#state !== 'running' || this.#restarting) return;
    if (server.state !== 'stopped') {
      if (Date.now() - this.#viewedAt >= MEMBER_VIEW_INTERVAL_MS) await this.refreshView();
      return;
    }
    if (await this.removedWhileAway()) return;
    this.#restarting = true;
    const ranMs = Date.now() - this.#startedAt;
    if (ranMs >= MEMBER_STABLE_MS) this.#restartDelayMs = MEMBER_RESTART_MIN_MS;
    const delayMs = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delayMs * 2, MEMBER_RESTART_MAX_MS);
    this.options.logger.warn('zookeeper server exited; restarting', { id: this.options.self.id, delayMs });
    try {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.#state !== 'running') return;
      await server.start();
      this.#startedAt = Date.now();
      this.options.logger.info('zookeeper server restarted', { id: this.options.self.id, pid: server.pid });
    } catch (err) {
      this.options.logger.error('zookeeper server restart failed', { id: this.options.self.id, err });
    } finally {
      this.#restarting = false;
    }
  }
}

/**
 * A director killed with SIGKILL leaves its server running (nothing forwards the signal), which
 * would hold the member's ports forever and make every restart of the director fail. The server
 * is ours by its command line (`QuorumPeerMain <dataDir>/zoo.cfg`): kill it before starting again.
 * Linux only (/proc); elsewhere a leftover makes the start fail with "port already in use".
 */
export async function killStaleServer(dataDir: string, logger: Logger): Promise<void> {
  const cfg = join(dataDir, 'zoo.cfg');
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!argv.includes('org.apache.zookeeper.server.quorum.QuorumPeerMain') || !argv.includes(cfg)) continue;
    const pid = Number(entry);
    logger.warn('killing a zookeeper server left by an earlier director', { pid, dataDir });
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      continue; // gone already
    }
    const deadline = Date.now() + STALE_KILL_WAIT_MS;
    while (existsSync(`/proc/${pid}`) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
