/**
 * Where `wharf up`'s ZooKeeper comes from: the server answering at WHARF_ZK or one the supervisor
 * embeds ({@link ZooKeeperKeeper}), or — with `--directors 3` — the directors' ensemble, each
 * director owning its member ({@link DirectorEnsemble}). One start/watch/close for both.
 */
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock, freePorts } from '@wharf/supervise';
import { roleX509Id } from '@wharf/zk';
import { type UpConfig, directorsOwnZooKeeper } from './config';
import { DirectorEnsemble } from './director-ensemble';
import { type DirectorTls, planDirectors } from './director-plan';
import { type ProcessRecord } from './platform-file';
import { type SecureInstall } from './secure-bootstrap';
import { ZooKeeperKeeper } from './zookeeper-keeper';

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

/** The platform's ZooKeeper, run by the supervisor or by the directors. */
export class PlatformZooKeeper {
  private readonly keeper: ZooKeeperKeeper | undefined;
  private readonly directors: DirectorEnsemble | undefined;

  constructor(private readonly options: PlatformZooKeeperOptions) {
    const { config, directorEntry } = options;
    if (!directorsOwnZooKeeper(config)) {
      this.keeper = new ZooKeeperKeeper({
        settings: config.zk,
        logger: options.logger,
        clock: options.clock,
        onProcess: options.onProcess,
        ...(options.secure === undefined ? {} : { tls: options.secure.zookeeper }),
      });
      return;
    }
    if (directorEntry === undefined) throw new WharfError('WHARF_NOT_FOUND', 'no director entry point');
    const secure = options.secure;
    const launches = planDirectors(config, {
      directorPort: options.directorPort,
      ...(secure === undefined ? {} : { secure: directorTls(secure) }),
    });
    this.directors = new DirectorEnsemble({
      launches,
      // The supervisor checks the members with host 1's runner certificate, as it seeds with it.
      ...(secure === undefined ? {} : { probeTls: () => secure.session(launches[0]!.host.id, 'runner') }),
      home: config.home,
      entry: directorEntry,
      execPath: options.execPath,
      baseEnv: options.baseEnv,
      logger: options.logger,
      clock: options.clock,
      onProcess: options.onProcess,
    });
  }

  /** True when this installation runs it (embedded server or directors), false for an external one. */
  get embedded(): boolean {
    return this.directors !== undefined || this.keeper?.embedded === true;
  }

  /** Resolves with the connect string the services use, once ZooKeeper serves. */
  async start(): Promise<string> {
    const { config, clock } = this.options;
    if (this.directors !== undefined) return this.directors.start(clock.now() + config.startTimeoutMs);
    return this.keeper!.start();
  }

  /** Starts watching an embedded server's process (the directors watch their own members). */
  watch(): void {
    this.keeper?.watch();
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
