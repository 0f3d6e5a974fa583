/**
 * Rotation of a TLS member's certificate (`wharf pki rotate --members`): the rotating side writes
 * a new key and certificate into the member's certificate directory (each file atomically, the
 * certificate last); this watch sees the new certificate, checks that the key on disk belongs to
 * it (a half-written pair is left for the next look), and restarts the member's server with it.
 * A restart, not a reload: ZooKeeper 3.8.0 reloads only its quorum stores
 * (`sslQuorumReloadCertFiles`); the client port's came with `client.certReload` in 3.8.1.
 * One member at a time, so the others keep the quorum: the rotating side waits for each to
 * serve its new certificate before it writes the next one's.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { type Logger } from '@wharf/observability';
import { readTlsCredentials } from '@wharf/pki';
import { type EmbeddedZooKeeperTls } from '@wharf/zk';
import { type ZooKeeperMember } from './zk-member';

/** How often the member's certificate file is compared with the one served: one stat-sized read. */
export const MEMBER_CERT_POLL_MS = 1_000;

/** State of a {@link MemberCertificateWatch}. */
export type MemberCertificateWatchState = 'idle' | 'running' | 'closed';

/** Options of {@link MemberCertificateWatch}. */
export interface MemberCertificateWatchOptions {
  readonly member: ZooKeeperMember;
  /** The member's certificate directory (ca.pem, cert.pem, key.pem). */
  readonly dir: string;
  /** The server's TLS settings besides the credentials (its x509 super user). */
  readonly base: Omit<EmbeddedZooKeeperTls, 'ca' | 'cert' | 'key'>;
  readonly logger: Logger;
}

/** Restarts the member's server when its certificate directory holds a new certificate. */
export class MemberCertificateWatch {
  #state: MemberCertificateWatchState = 'idle';
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();

  constructor(private readonly options: MemberCertificateWatchOptions) {}

  get state(): MemberCertificateWatchState {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'running';
    this.#timer = setInterval(() => {
      this.#round = this.#round.then(() => this.check());
    }, MEMBER_CERT_POLL_MS);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#timer);
    await this.#round;
  }

  private async check(): Promise<void> {
    const { member, dir, base, logger } = this.options;
    if (this.#state !== 'running' || member.state !== 'running') return;
    const files = await readTlsCredentials(dir).catch(() => undefined);
    if (files === undefined || files.cert.trim() === member.certificate?.trim()) return;
    if (!keyMatches(files.cert, files.key)) return; // the key or certificate is being replaced
    const serial = new X509Certificate(files.cert).serialNumber.toLowerCase();
    logger.info('zookeeper member certificate changed; restarting the server', { serial });
    try {
      await member.restartWithTls({ ...base, ca: files.ca, cert: files.cert, key: files.key });
    } catch (err) {
      logger.error('zookeeper member restart with the new certificate failed', { err, serial });
    }
  }
}

/** True when `keyPem` is the private key of `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    return fromCert.equals(fromKey);
  } catch {
    return false;
  }
}
