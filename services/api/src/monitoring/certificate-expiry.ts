/**
 * `wharf_api_certificate_expiry_timestamp_seconds{certificate}` for the `CertificateExpirySoon`
 * alert: the notAfter of each PEM certificate file listed in `WHARF_CERTIFICATE_FILES` (the
 * load balancer's, the ZooKeeper TLS material, the director's CA: whatever the operator rotates).
 * Files are re-read every {@link CERTIFICATE_CHECK_INTERVAL_MS}, so a rotation shows without a
 * restart; an unreadable file is logged and left out (its series disappears, never a false date).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Gauge, type Logger } from '@wharf/observability';

/** Certificates change at rotation (days apart); a minute is prompt enough and costs nothing. */
export const CERTIFICATE_CHECK_INTERVAL_MS = 60_000;

/** Unix seconds at which the first certificate of `pem` expires, or undefined when there is none. */
export function certificateExpirySeconds(pem: string): number | undefined {
  try {
    return Math.floor(Date.parse(new X509Certificate(pem).validTo) / 1000);
  } catch {
    return undefined;
  }
}

/** Options of {@link startCertificateExpiryGauge}. */
export interface CertificateExpiryOptions {
  files: readonly string[];
  gauge: Gauge<'certificate'>;
  logger: Logger;
  intervalMs?: number;
}

/** Sets the gauge now and every interval; returns the stop function (nothing runs without files). */
export function startCertificateExpiryGauge(options: CertificateExpiryOptions): () => void {
  if (options.files.length === 0) return () => undefined;
  const refresh = async (): Promise<void> => {
    for (const file of options.files) {
      const certificate = basename(file);
      const pem = await readFile(file, 'utf8').catch(() => '');
      const expiry = certificateExpirySeconds(pem);
      if (expiry === undefined) {
        options.gauge.remove({ certificate });
        options.logger.warn('certificate file unreadable', { file });
      } else {
        options.gauge.set({ certificate }, expiry);
      }
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), options.intervalMs ?? CERTIFICATE_CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
