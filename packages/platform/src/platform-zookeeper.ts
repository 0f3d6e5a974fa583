/**
 * Where `wharf up`'s ZooKeeper comes from: the directors' ensemble, each director owning its
 * member ({@link DirectorEnsemble}; the default one director is a quorum of one); with an external
 * ZooKeeper (given, or answering at WHARF_ZK) that one; with `--directors 0` the server the
 * supervisor embeds ({@link ZooKeeperKeeper}). One start/watch/close for all.
 */
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock, freePorts } from '@wharf/supervise';
import { roleX509Id } from '@wharf/zk';
import { type UpConfig, directorsOwnZooKeeper } from './config';
import { DirectorEnsemble } from './director-ensemble';
import { type DirectorTls, memberDataDir, planDirectors } from './director-plan';
import { planHosts } from './host-plan';
import { resolvePeerPorts } from './member-ports';
import { type ProcessRecord } from './platform-file';
import { type SecureInstall } from './secure-bootstrap';
import { adoptStandaloneData, refuseMemberData } from './zookeeper-adoption';
import { ZK_PROBE_TIMEOUT_MS, ZooKeeperKeeper, probeZk } from './zookeeper-keeper';

/** Options of a {@link PlatformZooKeeper}. */
export interface PlatformZooKeeperOptions {
  readonly config: UpConfig;
  /** The director's `dist/main.js` (needed when the directors own ZooKeeper). */
  readonly directorEntry?: string;
  /** The directors' enrolment port. */
  readonly directorPort: number;
  readonly execPath: string;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Secure mode: the embedded server's TLS, or the directors' members' certificates. */
  readonly secure?: SecureInstall;
  /** Called with each process record (the embedded server's, or each director's). */
  readonly onProcess: (record: ProcessRecord) => void;
}

/**
 * Who runs the platform's ZooKeeper, decided by {@link PlatformZooKeeper.start}: the directors
 * (each its member), `wharf up` itself (`--directors 0`), or somebody else (external).
 */
export type ZooKeeperOwner = 'directors' | 'wharf-up' | 'external';

/** The platform's ZooKeeper, run by the directors, by the supervisor, or found running. */
export class PlatformZooKeeper {
  private keeper: ZooKeeperKeeper | undefined;
  private directors: DirectorEnsemble | undefined;

  constructor(private readonly options: PlatformZooKeeperOptions) {
    if (directorsOwnZooKeeper(options.config) && options.directorEntry === undefined)
      throw new WharfError('WHARF_NOT_FOUND', 'no director entry point');
  }

  /** Who runs it; `external` until {@link start} has decided. */
  get owner(): ZooKeeperOwner {
    if (this.directors !== undefined) return 'directors';
    return this.keeper?.embedded === true ? 'wharf-up' : 'external';
  }

  /** True when this installation runs it (embedded server or directors), false for an external one. */
  get embedded(): boolean {
    return this.owner !== 'external';
  }

  /** Resolves with the connect string the services use, once ZooKeeper serves. */
  async start(): Promise<string> {
    const { config, clock, logger } = this.options;
    if (!directorsOwnZooKeeper(config)) {
      const first = planHosts(config)[0]!;
      if (config.zk.embeddable)
        await refuseMemberData(config.zk.dataDir, memberDataDir(config.home, first.id));
      this.keeper = this.newKeeper();
      return this.keeper.start();
    }
    // One director (a plaintext start) uses a ZooKeeper that already answers, as `wharf up` did;
    // three directors, or a TLS-only member, need the ports (checkMemberPortsFree names them).
    if (config.directors === 1 && this.options.secure === undefined) {
      if ((await probeZk(config.zk.connectString, ZK_PROBE_TIMEOUT_MS)).ok) {
        logger.info('using the zookeeper that answers', { connectString: config.zk.connectString });
        return config.zk.connectString;
      }
    }
    const directors = await this.newDirectors();
    this.directors = directors;
    return directors.start(clock.now() + config.startTimeoutMs);
  }

  /** Starts watching an embedded server's process (the directors watch their own members). */
  watch(): void {
    this.keeper?.watch();
  }

  /** Directors taken out by `wharf director remove`: they run, idle, and report no quorum. */
  get removedDirectors(): number {
    return this.directors?.removed ?? 0;
  }

  /** True for a process this object runs (a director), whose record no runner reports. */
  owns(record: ProcessRecord): boolean {
    return this.directors?.ids.has(record.id) === true;
  }

  /** Stops the embedded server, or the directors (each stops its member). Idempotent. */
  async close(): Promise<void> {
    await this.keeper?.close();
    await this.directors?.close(this.options.config.stopTimeoutMs);
  }

  private newKeeper(): ZooKeeperKeeper {
    const { config, secure } = this.options;
    return new ZooKeeperKeeper({
      settings: config.zk,
      logger: this.options.logger,
      clock: this.options.clock,
      onProcess: this.options.onProcess,
      ...(secure === undefined ? {} : { tls: secure.zookeeper }),
    });
  }

  /**
   * The directors with their members' ports settled (member-ports.ts) and, on the first start
   * after an upgrade, `wharf up`'s old standalone data moved to director 1's member.
   */
  private async newDirectors(): Promise<DirectorEnsemble> {
    const { config, secure } = this.options;
    const first = planHosts(config).find((h) => (h.roles as readonly string[]).includes('director'))!;
    const firstDataDir = memberDataDir(config.home, first.id);
    const peerPorts = await resolvePeerPorts(config, firstDataDir);
    const planned: UpConfig = { ...config, zk: { ...config.zk, peerPorts } };
    const launches = planDirectors(planned, {
      directorPort: this.options.directorPort,
      ...(secure === undefined ? {} : { secure: directorTls(secure) }),
    });
    await adoptStandaloneData(config.zk.dataDir, firstDataDir, this.options.logger);
    return new DirectorEnsemble({
      launches,
      // The supervisor checks the members with host 1's runner certificate, as it seeds with it.
      ...(secure === undefined ? {} : { probeTls: () => secure.session(launches[0]!.host.id, 'runner') }),
      home: config.home,
      entry: this.options.directorEntry!,
      execPath: this.options.execPath,
      baseEnv: this.options.baseEnv,
      logger: this.options.logger,
      clock: this.options.clock,
      onProcess: this.options.onProcess,
    });
  }
}

/**
 * Where each director finds its certificates, and the members' x509 super user: every director
 * (a role-wide id, which Wharf's x509 provider matches), not only the CA host's as with one server.
 */
function directorTls(secure: SecureInstall): DirectorTls {
  return {
    clientDir: (hostId) => join(secure.tlsDir(hostId), 'director'),
    memberDir: (hostId) => secure.memberTlsDir(hostId),
    superUser: roleX509Id('director'),
  };
}

/** The directors' enrolment port: the configured one, or a free one (it is published in `/director/<id>`). */
export async function pickDirectorPort(config: UpConfig): Promise<number> {
  if (config.directorPort > 0) return config.directorPort;
  return (await freePorts(1, [config.apiPort, ...config.proxyPorts, config.zk.embeddedPort]))[0]!;
}
