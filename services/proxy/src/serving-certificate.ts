/**
 * The certificate the TLS port serves: a wildcard for `*.<domain>`, either the operator's (PEM
 * files, e.g. from a public CA for a real domain) or issued at start from Wharf's CA
 * (`@wharf/pki`) when the proxy runs on a host that holds the CA store (the one-host install).
 * Loaded at start by `main.ts` and kept current by `certificate-renewal.ts` (files re-read when
 * they change, an issued one re-issued before it expires); the key is held in memory and never
 * logged.
 */
import { type PemPairFiles, readPemPair } from '@wharf/observability';
import { expirySeconds, inspectCertificate, loadCa } from '@wharf/pki';
import { type Clock } from './clock';
import { type ProxyMetrics } from './metrics';

/**
 * Lifetime of a certificate the proxy issues itself. Short, since it is re-issued at every start
 * and before it expires (certificate-renewal.ts), and nothing else holds it.
 */
export const ISSUED_VALIDITY_DAYS = 30;

/** The serving certificate and its key (PEM). */
export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA certificate that issued it, when Wharf's CA did (clients trust this one). */
  readonly caPem: string | undefined;
  readonly notAfter: Date;
  /** Files only: the version of the files read (mtimes and sizes), to notice a rotation. */
  readonly stamp?: string;
}

/** Where the serving certificate comes from (exactly one of the two forms). */
export type ServingCertificateSource =
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly kind: 'ca'; readonly caDir: string; readonly passphrase?: string | undefined };

/** Loads or issues the serving certificate for `*.<domain>`. */
export async function loadServingCertificate(
  source: ServingCertificateSource,
  domain: string,
  hostId: string,
): Promise<ServingCertificate> {
  if (source.kind === 'files') {
    const pair = await readPemPair(servingFiles(source));
    const { cert: certPem, key: keyPem, stamp } = pair;
    return { certPem, keyPem, caPem: undefined, notAfter: inspectCertificate(certPem).notAfter, stamp };
  }
  const ca = await loadCa(source.caDir, { passphrase: source.passphrase });
  const issued = await ca.issue({
    profile: 'server',
    subject: { hostId, role: 'proxy' },
    sans: servingSans(domain),
    validityDays: ISSUED_VALIDITY_DAYS,
  });
  return {
    certPem: issued.certPem,
    keyPem: issued.keyPem,
    caPem: issued.caPem,
    notAfter: issued.info.notAfter,
  };
}

/**
 * `*.<domain>` and `<domain>`; for `localhost`, also the loopback addresses, so a client that
 * connects by IP (Go's resolver does not resolve `*.localhost`) can still verify the certificate.
 */
export function servingSans(domain: string): { dns: string[]; ips: string[] } {
  return { dns: [`*.${domain}`, domain], ips: domain === 'localhost' ? ['127.0.0.1', '::1'] : [] };
}

/** The `certificate` label of the serving certificate's `wharf_certificate_expiry_seconds`. */
export const SERVING_CERTIFICATE_LABEL = 'proxy-serving';

/** Seconds until the certificate expires (negative once expired): `wharf_certificate_expiry_seconds`. */
export function servingExpirySeconds(cert: Pick<ServingCertificate, 'notAfter'>, nowMs: number): number {
  return expirySeconds(cert, new Date(nowMs));
}

/** The operator's files, named by the settings that gave them (for errors). */
export function servingFiles(source: { readonly certFile: string; readonly keyFile: string }): PemPairFiles {
  return {
    certFile: source.certFile,
    keyFile: source.keyFile,
    certSetting: 'WHARF_PROXY_TLS_CERT',
    keySetting: 'WHARF_PROXY_TLS_KEY',
  };
}

/** Sets the serving certificate's expiry gauge (a no-op without TLS). */
export function expiryUpdater(
  metrics: ProxyMetrics,
  current: () => Pick<ServingCertificate, 'notAfter'> | undefined,
  clock: Clock,
): () => void {
  return () => {
    const certificate = current();
    if (certificate === undefined) return;
    const seconds = servingExpirySeconds(certificate, clock.now());
    metrics.certificateExpiry.set({ certificate: SERVING_CERTIFICATE_LABEL }, seconds);
  };
}
