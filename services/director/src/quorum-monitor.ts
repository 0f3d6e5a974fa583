/**
 * Reads every ZooKeeper server of the connect string with `srvr` and `mntr` every interval,
 * summarizes the quorum (`quorum.ts`) and keeps it in the director's ephemeral
 * `/director/<directorId>` and its metrics. A failed round is logged and retried at the next tick;
 * the znode keeps the last good report meanwhile.
 */
import { paths, serializeDocument, type DirectorStatus } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { fourLetterWord, type EphemeralRegistration, type ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { type DirectorMetrics } from './metrics';
import { summarizeQuorum, type QuorumHealth, type ServerReplies } from './quorum';

/** Default time between two quorum checks: fresh enough for `wharf status`, cheap for ZooKeeper. */
export const DEFAULT_QUORUM_INTERVAL_MS = 5_000;
/** How long a server may take to answer a four-letter word before it counts as unreachable. */
export const FOUR_LETTER_TIMEOUT_MS = 2_000;

/** The servers of a connect string (`a:2181,b:2181/chroot` → `a:2181`, `b:2181`). */
export function serversOf(connectString: string): { host: string; port: number; address: string }[] {
  const hosts = (connectString.split('/')[0] ?? '').split(',').filter((s) => s.trim() !== '');
  return hosts.map((entry) => {
    const [host = '127.0.0.1', port = '2181'] = entry.trim().split(':');
    return { host, port: Number(port), address: `${host}:${port}` };
  });
}

/** Options of {@link QuorumMonitor}. */
export interface QuorumMonitorOptions {
  readonly zk: ZkSession;
  readonly directorId: string;
  readonly connectString: string;
  /**
   * The servers to check now (`host:port,…`), when the ensemble changes under the director (its
   * member's view after a removal); default the fixed `connectString`.
   */
  readonly servers?: () => string;
  readonly tls?: ZkTlsOptions;
  /** The rest of the status document (enrolment address, CA fingerprint). */
  readonly identity: Pick<DirectorStatus, 'enrol_address' | 'ca_fingerprint'>;
  readonly intervalMs: number;
  readonly metrics: DirectorMetrics;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Called after every check (the director refreshes its certificate expiry gauges). */
  readonly onCheck?: () => void;
}

/** State of a {@link QuorumMonitor}. */
export type QuorumMonitorState = 'idle' | 'running' | 'closed';

/** Keeps `/director/<id>` current. `start()` registers it after a first check; `close()` removes it. */
export class QuorumMonitor {
  #state: QuorumMonitorState = 'idle';
  #timer: NodeJS.Timeout | undefined;
  #registration: EphemeralRegistration | undefined;
  #last: QuorumHealth | undefined;
  #round: Promise<void> = Promise.resolve();

  constructor(private readonly options: QuorumMonitorOptions) {}

  get state(): QuorumMonitorState {
    return this.#state;
  }

  /** The last quorum report, if any. */
  get last(): QuorumHealth | undefined {
    return this.#last;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    this.#state = 'running';
    const status = await this.check();
    this.#registration = await this.options.zk.registerEphemeral(
      paths.directorStatus(this.options.directorId),
      serializeDocument('director-status', status),
    );
    this.#timer = setInterval(() => {
      this.#round = this.#round.then(() => this.tick());
    }, this.options.intervalMs);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#timer);
    await this.#round;
    await this.#registration?.close();
  }

  private async tick(): Promise<void> {
    if (this.#state !== 'running') return;
    try {
      const status = await this.check();
      await this.#registration?.update(serializeDocument('director-status', status));
    } catch (err) {
      this.options.metrics.quorumChecks.inc({ result: 'error' });
      this.options.logger.warn('quorum status not written', { err });
    }
  }

  /** One round: every server's replies, the summary, the metrics; returns the status document. */
  private async check(): Promise<DirectorStatus> {
    const { metrics, tls } = this.options;
    const replies = await Promise.all(
      serversOf(this.options.servers?.() || this.options.connectString).map(
        async (s): Promise<ServerReplies> => {
          const [srvr, mntr] = await Promise.all([
            fourLetterWord(s.host, s.port, 'srvr', FOUR_LETTER_TIMEOUT_MS, tls),
            fourLetterWord(s.host, s.port, 'mntr', FOUR_LETTER_TIMEOUT_MS, tls),
          ]);
          return { address: s.address, srvr, mntr };
        },
      ),
    );
    const health = summarizeQuorum(replies);
    if (this.#last !== undefined && this.#last.healthy !== health.healthy) {
      this.options.logger.warn('quorum health changed', { healthy: health.healthy });
    }
    this.#last = health;
    metrics.quorumChecks.inc({ result: health.healthy ? 'healthy' : 'unhealthy' });
    metrics.quorumHealthy.set(health.healthy ? 1 : 0);
    for (const server of health.servers) {
      metrics.zkServerUp.set({ server: server.address }, server.mode === 'unreachable' ? 0 : 1);
      if (server.zxid_lag !== undefined) metrics.zkZxidLag.set({ server: server.address }, server.zxid_lag);
    }
    this.options.onCheck?.();
    const now = (this.options.now ?? (() => new Date()))().toISOString();
    return {
      schema_version: 1,
      id: this.options.directorId,
      ...this.options.identity,
      quorum: { healthy: health.healthy, servers: [...health.servers], checked: now },
      updated: now,
    };
  }
}
