/**
 * The certificate the TLS port serves: a wildcard for `*.<domain>`, either the operator's (PEM
 * files, e.g. from a public CA for a real domain) or issued at start from Wharf's CA
 * (`@wharf/pki`) when the proxy runs on a host that holds the CA store (the one-host install).
 * Read once at start by `main.ts`; the key is held in memory and never logged.
 */
import { readFile } from 'node:fs/promises';
import { WharfError } from '@wharf/model';
import { expirySeconds, inspectCertificate, loadCa } from '@wharf/pki';

/**
 * Lifetime of a certificate the proxy issues itself. Short, since it is re-issued at every start
 * and nothing else holds it; a month leaves a long-running proxy ample warning on
 * `wharf_certificate_expiry_seconds` before a restart is needed.
 */
export const ISSUED_VALIDITY_DAYS = 30;

/** The serving certificate and its key (PEM). */
export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA certificate that issued it, when Wharf's CA did (clients trust this one). */
  readonly caPem: string | undefined;
  readonly notAfter: Date;
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
    const [certPem, keyPem] = await Promise.all([
      readFile(source.certFile, 'utf8').catch((err: unknown) => unreadable('WHARF_PROXY_TLS_CERT', err)),
      readFile(source.keyFile, 'utf8').catch((err: unknown) => unreadable('WHARF_PROXY_TLS_KEY', err)),
    ]);
    return { certPem, keyPem, caPem: undefined, notAfter: inspectCertificate(certPem).notAfter };
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

/** Seconds until the certificate expires (negative once expired): `wharf_certificate_expiry_seconds`. */
export function servingExpirySeconds(cert: Pick<ServingCertificate, 'notAfter'>, nowMs: number): number {
  return expirySeconds(cert, new Date(nowMs));
}

function unreadable(variable: string, err: unknown): never {
  throw new WharfError('WHARF_VALIDATION', `${variable} cannot be read`, {
    details: [{ path: variable, message: (err as NodeJS.ErrnoException).code ?? 'unreadable' }],
  });
}
