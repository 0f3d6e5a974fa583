/**
 * The director: publishes the CA certificate, serves enrolment over HTTPS with a certificate
 * from its own CA, and keeps `/director/<id>` with the quorum's health. Its parts start in that
 * order (a host can only pin a CA that is published) and close in reverse.
 */
import { isIP } from 'node:net';
import { type Logger } from '@wharf/observability';
import { caFingerprint, expirySeconds, type CertificateAuthority, type IssuedKeyPair } from '@wharf/pki';
import { type ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { enrol } from './enrolment';
import { startEnrolServer, type EnrolServer } from './enrol-server';
import { publishCa } from './ca-publisher';
import { type DirectorMetrics } from './metrics';
import { QuorumMonitor, type QuorumMonitorState } from './quorum-monitor';

/**
 * Lifetime of the enrolment endpoint's own certificate: re-issued at every start, so a month is
 * plenty and a leaked key is worthless soon.
 */
export const ENROL_SERVING_VALIDITY_DAYS = 30;
/** `certificate` label values of `wharf_director_certificate_expiry_seconds`. */
export const CERTIFICATE_LABELS = Object.freeze({ ca: 'ca', serving: 'enrol-serving' });

/** Options of {@link Director}. */
export interface DirectorOptions {
  readonly id: string;
  readonly zk: ZkSession;
  readonly ca: CertificateAuthority;
  /** Where the enrolment endpoint listens (loopback by default) and the names its certificate carries. */
  readonly enrol: { readonly host: string; readonly port: number; readonly names: readonly string[] };
  readonly zkConnectString: string;
  readonly zkTls?: ZkTlsOptions;
  readonly quorumIntervalMs: number;
  readonly metrics: DirectorMetrics;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** State of a {@link Director}. */
export type DirectorState = 'idle' | 'starting' | 'running' | 'closed';

/** A running director. */
export class Director {
  #state: DirectorState = 'idle';
  #server: EnrolServer | undefined;
  #monitor: QuorumMonitor | undefined;
  #serving: IssuedKeyPair | undefined;
  readonly #now: () => Date;

  constructor(private readonly options: DirectorOptions) {
    this.#now = options.now ?? (() => new Date());
  }

  get state(): DirectorState {
    return this.#state;
  }

  /** `https://host:port` of the enrolment endpoint (after start). */
  get enrolUrl(): string {
    const address = this.#server?.address;
    if (address === undefined) return '';
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `https://${host}:${address.port}`;
  }

  /** `sha256:<hex>` of the CA: what joining hosts pin. */
  get caFingerprint(): string {
    return caFingerprint(this.options.ca.certPem);
  }

  /** The quorum monitor's state and last verdict (for /health). */
  get quorum(): { state: QuorumMonitorState | 'idle'; healthy: boolean | undefined } {
    return { state: this.#monitor?.state ?? 'idle', healthy: this.#monitor?.last?.healthy };
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    this.#state = 'starting';
    const { ca, zk, id, metrics, logger } = this.options;
    await publishCa(zk, ca, id, this.#now());
    this.#serving = await ca.issue({
      profile: 'server',
      subject: { hostId: id, role: 'director' },
      sans: sansOf(this.options.enrol.host, this.options.enrol.names),
      validityDays: ENROL_SERVING_VALIDITY_DAYS,
    });
    this.#server = await startEnrolServer({
      host: this.options.enrol.host,
      port: this.options.enrol.port,
      cert: this.#serving.certPem,
      key: this.#serving.keyPem,
      caPem: ca.certPem,
      enrol: async (request) => {
        const response = await enrol(zk, ca, request, { now: this.#now() });
        for (const role of request.roles) metrics.certificatesIssued.inc({ role });
        return response;
      },
      onResult: (result) => metrics.enrolments.inc({ result }),
      logger: logger.child({ component: 'enrol' }),
    });
    this.#monitor = new QuorumMonitor({
      zk,
      directorId: id,
      connectString: this.options.zkConnectString,
      ...(this.options.zkTls === undefined ? {} : { tls: this.options.zkTls }),
      identity: { enrol_address: this.enrolUrl.slice('https://'.length), ca_fingerprint: this.caFingerprint },
      intervalMs: this.options.quorumIntervalMs,
      metrics,
      logger: logger.child({ component: 'quorum' }),
      now: this.#now,
      onCheck: () => this.refreshExpiry(),
    });
    await this.#monitor.start();
    this.#state = 'running';
    logger.info('director running', { enrol: this.enrolUrl, caFingerprint: this.caFingerprint });
  }

  /** Sets the certificate expiry gauges to now (after every quorum check). */
  refreshExpiry(): void {
    const now = this.#now();
    const { certificateExpiry } = this.options.metrics;
    certificateExpiry.set({ certificate: CERTIFICATE_LABELS.ca }, expirySeconds(this.options.ca.info, now));
    if (this.#serving !== undefined) {
      certificateExpiry.set(
        { certificate: CERTIFICATE_LABELS.serving },
        expirySeconds(this.#serving.info, now),
      );
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#monitor?.close();
    await this.#server?.close();
    this.options.logger.info('director closed');
  }
}

/** The enrolment certificate's names: the bind address, loopback, and the configured names. */
export function sansOf(host: string, names: readonly string[]): { dns: string[]; ips: string[] } {
  const all = [...new Set([host, 'localhost', '127.0.0.1', ...names])].filter(
    (n) => n !== '0.0.0.0' && n !== '::',
  );
  return { dns: all.filter((n) => isIP(n) === 0), ips: all.filter((n) => isIP(n) !== 0) };
}
