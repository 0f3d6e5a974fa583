/**
 * The director: publishes the CA certificate, serves enrolment over HTTPS with a certificate
 * from its own CA, and keeps `/director/<id>` with the quorum's health. Its parts start in that
 * order (a host can only pin a CA that is published) and close in reverse.
 */
import { isIP } from 'node:net';
import { certificateExpiryGauge, type CertificateExpiry, type Logger } from '@wharf/observability';
import {
  caFingerprint,
  expirySeconds,
  inspectCertificate,
  renewalDecision,
  type CertificateAuthority,
  type EnrolResponse,
  type IssuedKeyPair,
} from '@wharf/pki';
import { type ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { enrol } from './enrolment';
import { startEnrolServer, type EnrolServer } from './enrol-server';
import { publishCa } from './ca-publisher';
import { type DirectorMetrics } from './metrics';
import { type ParsedRenewRequest } from './renew-request';
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
  /** The ensemble's current servers (its member's view), checked instead of `zkConnectString`. */
  readonly zkServers?: () => string;
  readonly zkTls?: ZkTlsOptions;
  /** The certificate its ZooKeeper member serves (TLS ensembles), for the expiry metric. */
  readonly memberCertificate?: () => string | undefined;
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
    this.#serving = await this.issueServing();
    certificateExpiryGauge(metrics.base, () => this.certificates());
    this.#server = await startEnrolServer({
      host: this.options.enrol.host,
      port: this.options.enrol.port,
      cert: this.#serving.certPem,
      key: this.#serving.keyPem,
      caPem: ca.certPem,
      enrol: async (request) => {
        const response = await enrol(zk, ca, request, { now: this.#now() });
        for (const service of request.services) metrics.certificatesIssued.inc({ ou: service });
        return response;
      },
      renew: async (request) => this.renew(request),
      onResult: (result) => metrics.enrolments.inc({ result }),
      logger: logger.child({ component: 'enrol' }),
    });
    this.#monitor = new QuorumMonitor({
      zk,
      directorId: id,
      connectString: this.options.zkConnectString,
      ...(this.options.zkServers === undefined ? {} : { servers: this.options.zkServers }),
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

  /** Signs a renewal: same host and service as the certificate the caller authenticated with. */
  async renew(request: ParsedRenewRequest): Promise<EnrolResponse> {
    const { ca, metrics } = this.options;
    const cert = ca.signCsr(request.csr, {
      profile: 'client',
      subject: { hostId: request.hostId, role: request.service },
      now: this.#now(),
    }).certPem;
    metrics.certificatesIssued.inc({ ou: request.service });
    return { hostId: request.hostId, ca: ca.certPem, certificates: { [request.service]: cert } };
  }

  /** The certificates this director holds, for `wharf_certificate_expiry_seconds`. */
  certificates(): CertificateExpiry[] {
    const { ca, zkTls, id } = this.options;
    const out: CertificateExpiry[] = [{ cn: ca.info.subject.commonName ?? 'ca', notAfter: ca.info.notAfter }];
    if (this.#serving !== undefined) out.push({ cn: id, notAfter: this.#serving.info.notAfter });
    if (zkTls !== undefined) {
      const info = inspectCertificate(zkTls.reload?.()?.cert ?? zkTls.cert);
      out.push({ cn: info.identity?.hostId ?? id, notAfter: info.notAfter });
    }
    const member = this.options.memberCertificate?.();
    if (member !== undefined) {
      const info = inspectCertificate(member);
      out.push({ service: 'zookeeper', cn: info.identity?.hostId ?? id, notAfter: info.notAfter });
    }
    return out;
  }

  private issueServing(): Promise<IssuedKeyPair> {
    return this.options.ca.issue({
      profile: 'server',
      subject: { hostId: this.options.id, role: 'director' },
      sans: sansOf(this.options.enrol.host, this.options.enrol.names),
      validityDays: ENROL_SERVING_VALIDITY_DAYS,
      now: this.#now(),
    });
  }

  /**
   * Re-issues the enrolment endpoint's certificate once it is due (`renewalDecision`) and serves
   * it from the next handshake on (`setSecureContext`): a long-running director never expires.
   */
  async renewServingIfDue(): Promise<boolean> {
    if (this.#serving === undefined || this.#server === undefined) return false;
    if (renewalDecision(this.#serving.info, this.#now()).action === 'keep') return false;
    this.#serving = await this.issueServing();
    this.#server.setCertificate(this.#serving.certPem, this.#serving.keyPem);
    this.options.logger.info('enrolment certificate renewed', { notAfter: this.#serving.info.notAfter });
    return true;
  }

  /** Sets the certificate expiry gauges to now (after every quorum check). */
  refreshExpiry(): void {
    void this.renewServingIfDue().catch((err: unknown) =>
      this.options.logger.error('enrolment certificate renewal failed', { err }),
    );
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
