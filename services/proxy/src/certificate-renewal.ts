/**
 * Keeps the TLS port's certificate current without a restart. Why: a proxy is the one service
 * nobody wants to restart (every client connection goes through it), and the certificate it
 * issues itself lives {@link ISSUED_VALIDITY_DAYS} days, so a proxy up for longer would start
 * serving an expired certificate.
 *   - The operator's files: re-read when they change (`watchPemPair`: a whole, matching pair only;
 *     a half-rotated pair leaves the old one serving and logs a warning).
 *   - Issued from Wharf's CA: re-issued once less than {@link RENEW_BEFORE_EXPIRY_MS} is left,
 *     checked every {@link RENEWAL_CHECK_INTERVAL_MS}; a failed issue (the CA store unreadable)
 *     is logged and tried again at the next check, the old certificate serving meanwhile.
 * New connections get the new certificate; established ones keep the one they negotiated.
 */
import { type Logger, watchPemPair } from '@wharf/observability';
import { inspectCertificate } from '@wharf/pki';
import {
  ISSUED_VALIDITY_DAYS,
  type ServingCertificate,
  type ServingCertificateSource,
  loadServingCertificate,
  servingFiles,
} from './serving-certificate';

const DAY_MS = 24 * 60 * 60 * 1000;
/** An issued certificate is replaced once less than this is left: a third of its lifetime. */
export const RENEW_BEFORE_EXPIRY_MS = (ISSUED_VALIDITY_DAYS / 3) * DAY_MS;
/** How often an issued certificate's remaining lifetime is checked. */
export const RENEWAL_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/** Whether an issued certificate is due for re-issue at `nowMs`. */
export function renewalDue(certificate: Pick<ServingCertificate, 'notAfter'>, nowMs: number): boolean {
  return certificate.notAfter.getTime() - nowMs < RENEW_BEFORE_EXPIRY_MS;
}

/** Options for {@link startCertificateRenewal}. */
export interface CertificateRenewalOptions {
  readonly source: ServingCertificateSource;
  readonly domain: string;
  readonly hostId: string;
  /** What the TLS port serves now. */
  readonly current: ServingCertificate;
  /** Puts a new certificate in service (the proxy's or the supervisor's `setCertificate`). */
  readonly apply: (certificate: ServingCertificate) => void;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Files: how often they are checked (default: `watchPemPair`'s). CA: the renewal check's. */
  readonly intervalMs?: number;
}

/** Starts keeping the certificate current; returns the function that stops it. */
export function startCertificateRenewal(options: CertificateRenewalOptions): () => void {
  const { source, logger } = options;
  if (source.kind === 'files') {
    return watchPemPair({
      files: servingFiles(source),
      current: {
        cert: options.current.certPem,
        key: options.current.keyPem,
        stamp: options.current.stamp ?? '',
      },
      intervalMs: options.intervalMs,
      onChange: (pair) => {
        const notAfter = inspectCertificate(pair.cert).notAfter;
        options.apply({
          certPem: pair.cert,
          keyPem: pair.key,
          caPem: undefined,
          notAfter,
          stamp: pair.stamp,
        });
        logger.info('proxy certificate reloaded', {
          cert: source.certFile,
          not_after: notAfter.toISOString(),
        });
      },
      onError: (err) =>
        logger.warn('proxy certificate not reloaded', { reason: err.message, cert: source.certFile }),
    });
  }
  const now = options.now ?? Date.now;
  let current = options.current;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || !renewalDue(current, now())) return;
    busy = true;
    loadServingCertificate(source, options.domain, options.hostId)
      .then((next) => {
        options.apply(next);
        current = next;
        logger.info('proxy certificate re-issued', { not_after: next.notAfter.toISOString() });
      })
      .catch((err: unknown) =>
        logger.warn('proxy certificate not re-issued; the current one keeps serving', {
          reason: (err as Error).message,
          not_after: current.notAfter.toISOString(),
        }),
      )
      .finally(() => (busy = false));
  }, options.intervalMs ?? RENEWAL_CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
