import { WharfError } from '@wharf/model';
import forge from 'node-forge';
import { parseForgeCertificate } from './forge-x509';
import { infoOf, type CertificateInfo } from './inspect';
import { PEM_TYPES, pemBlocksOf } from './pem';

/** What a certificate must be good for, beyond chaining to a trusted CA. */
export type CertificatePurpose = 'serverAuth' | 'clientAuth';

/** Options of {@link verifyCertificateChain}. */
export interface VerifyOptions {
  /** Trusted roots (PEM, one or a bundle): usually the installation's CA certificate. */
  readonly trustedPem: string | Buffer;
  /** Time the validity is checked at (injected clock); default now. */
  readonly now?: Date;
  /** Require this extended key usage on the leaf. */
  readonly purpose?: CertificatePurpose;
}

/**
 * Verifies a certificate chain (leaf first, then any intermediates, as one PEM text) against the
 * trusted roots: every signature, validity at `now`, CA constraints of each issuer, and optionally
 * the leaf's purpose. Returns the leaf's info; throws WHARF_PKI_UNTRUSTED with a `reason`
 * (`unknown_certificate_authority`, `certificate_expired`, `bad_certificate`, `wrong_purpose`, …) otherwise.
 */
export function verifyCertificateChain(chainPem: string | Buffer, options: VerifyOptions): CertificateInfo {
  const blocks = pemBlocksOf(chainPem, PEM_TYPES.certificate, 'certificate');
  const chain = blocks.map((pem) => parseForgeCertificate(pem));
  const roots = pemBlocksOf(options.trustedPem, PEM_TYPES.certificate, 'trusted').map((pem) =>
    parseForgeCertificate(pem, 'trusted'),
  );
  const store = forge.pki.createCaStore(roots);
  const now = options.now ?? new Date();
  try {
    forge.pki.verifyCertificateChain(store, chain, { validityCheckDate: now });
  } catch (err) {
    throw untrusted(reasonOf(err), { cause: err });
  }
  const info = infoOf(chain[0]!, blocks[0]!);
  if (options.purpose !== undefined && !allows(chain[0]!, options.purpose)) {
    throw untrusted('wrong_purpose', { purpose: options.purpose, profile: info.profile });
  }
  return info;
}

function allows(cert: forge.pki.Certificate, purpose: CertificatePurpose): boolean {
  const eku = cert.getExtension('extKeyUsage') as Record<string, unknown> | undefined;
  return eku?.[purpose] === true;
}

/** forge reports failures as `{ error: 'forge.pki.UnknownCertificateAuthority', message }`. */
function reasonOf(err: unknown): string {
  const code = (err as { error?: unknown } | null)?.error;
  if (typeof code !== 'string') return 'bad_certificate';
  const name = code.replace(/^forge\.pki\./, '');
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function untrusted(reason: string, extra: Record<string, unknown> & { cause?: unknown }): WharfError {
  const { cause, ...details } = extra;
  return new WharfError('WHARF_PKI_UNTRUSTED', `certificate not trusted: ${reason}`, {
    details: { reason, ...details },
    cause,
  });
}
