/**
 * ZooKeeper for `wharf up`: use the server answering `ruok` at WHARF_ZK, or start an embedded one
 * (data under `$WHARF_HOME/zookeeper`) and restart it with back-off should it die.
 */
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { Backoff, type Clock, type ProbeResult, RESTART_POLICY, identify } from '@wharf/supervise';
import { EmbeddedZooKeeper, type EmbeddedZooKeeperTls, type ZkTlsOptions, probeZooKeeper } from '@wharf/zk';
import { type ZooKeeperSettings } from './config';
import { type ProcessRecord } from './platform-file';

/** A local server answers `ruok` in milliseconds; a second only matters when something is listening but frozen. */
export const ZK_PROBE_TIMEOUT_MS = 1000;
/** How often the embedded server's process is checked: a dead ZooKeeper stalls every service. */
export const ZK_WATCH_INTERVAL_MS = 1000;
/** Marker in the JVM's command line, checked before `wharf down` signals a recorded pid. */
export const ZK_COMMAND_MATCH = 'QuorumPeerMain';

/** `ruok` → `imok` on the first server of `connectString` (over mutual TLS with `tls`). */
export async function probeZk(
  connectString: string,
  timeoutMs = ZK_PROBE_TIMEOUT_MS,
  tls?: ZkTlsOptions,
): Promise<ProbeResult> {
  const ok = await probeZooKeeper(connectString, timeoutMs, tls);
  return { ok, detail: ok ? 'imok' : 'no answer' };
}

/** Options of a {@link ZooKeeperKeeper}. */
export interface ZooKeeperKeeperOptions {
  readonly settings: ZooKeeperSettings;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Called with the embedded server's process record after each (re)start. */
  readonly onProcess: (record: ProcessRecord) => void;
  /** Secure mode: the embedded server serves mutual TLS only; an answering plaintext one is refused. */
  readonly tls?: EmbeddedZooKeeperTls;
}

/** Finds or runs the platform's ZooKeeper. */
export class ZooKeeperKeeper {
  private server: EmbeddedZooKeeper | undefined;
  private cancelWatch: (() => void) | undefined;
  private readonly backoff = new Backoff(RESTART_POLICY);
  private startedAt = 0;
  private restarting = false;
  private closed = false;

  constructor(private readonly options: ZooKeeperKeeperOptions) {}

  /** True when this keeper runs the server itself. */
  get embedded(): boolean {
    return this.server !== undefined;
  }

  /** Returns the connect string the services should use, starting an embedded server when needed. */
  async start(): Promise<string> {
    const { settings, logger } = this.options;
    if ((await probeZk(settings.connectString, ZK_PROBE_TIMEOUT_MS)).ok) {
      if (this.options.tls !== undefined) {
        throw new WharfError(
          'WHARF_CONFLICT',
          `a plaintext ZooKeeper answers at ${settings.connectString}; secure mode starts its own TLS-only one there: stop it, or pick another --zk-port`,
        );
      }
      logger.info('using the zookeeper that answers', { connectString: settings.connectString });
      return settings.connectString;
    }
    if (!settings.embeddable) {
      throw new WharfError(
        'WHARF_UNAVAILABLE',
        `no ZooKeeper answers at ${settings.connectString}, and it is not a local address where one could be started`,
      );
    }
    logger.info('starting embedded zookeeper', { port: settings.embeddedPort, dataDir: settings.dataDir });
    this.server = new EmbeddedZooKeeper({
      dataDir: settings.dataDir,
      port: settings.embeddedPort,
      logger,
      ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
    });
    await this.startServer(this.server);
    return this.server.connectString;
  }

  /** Starts watching the embedded server's process (no-op for an external ZooKeeper). */
  watch(): void {
    if (this.server === undefined || this.closed) return;
    this.cancelWatch = this.options.clock.schedule(() => {
      void this.check().finally(() => this.watch());
    }, ZK_WATCH_INTERVAL_MS);
  }

  /** Stops the embedded server (SIGTERM, then SIGKILL after its stop timeout). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelWatch?.();
    await this.server?.stop();
  }

  private async check(): Promise<void> {
    const server = this.server;
    if (server === undefined || this.closed || this.restarting || server.state !== 'stopped') return;
    this.restarting = true;
    try {
      const delayMs = this.backoff.next(this.options.clock.now() - this.startedAt);
      this.options.logger.warn('embedded zookeeper exited; restarting', { delayMs });
      await this.options.clock.sleep(delayMs);
      if (!this.closed) await this.startServer(server);
    } catch (err) {
      this.options.logger.error('embedded zookeeper restart failed', { err });
    } finally {
      this.restarting = false;
    }
  }

  private async startServer(server: EmbeddedZooKeeper): Promise<void> {
    await server.start();
    this.startedAt = this.options.clock.now();
    const pid = server.pid;
    if (pid === undefined) throw new WharfError('WHARF_ZK_ERROR', 'embedded zookeeper started without a pid');
    this.options.onProcess({
      id: 'zookeeper',
      service: 'zookeeper',
      pid,
      ...startTimeOf(pid),
      port: server.port,
      log: server.logFile,
      command_match: ZK_COMMAND_MATCH,
    });
  }
}

/** `{ start_time }` of a running pid where `/proc` tells it, for platform.json. */
export function startTimeOf(pid: number): { start_time?: number } {
  const startTime = identify(pid)?.startTime;
  return startTime === undefined ? {} : { start_time: startTime };
}
