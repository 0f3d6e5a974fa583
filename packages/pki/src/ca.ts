import { createPublicKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { WharfError } from '@wharf/model';
import { parseCsr } from './csr';
import { buildCertificatePem, parseForgeCertificate, subjectKeyIdOf } from './forge-x509';
import { inspectCertificate, type CertificateInfo } from './inspect';
import {
  CA_KEY_BITS,
  LEAF_KEY_BITS,
  encryptPrivateKeyPem,
  generateRsaKeyPair,
  loadPrivateKey,
  privateKeyToPem,
} from './keys';
import { PEM_TYPES, singlePem } from './pem';
import {
  caExtensions,
  leafExtensions,
  normalizeSans,
  type CertificateProfile,
  type SubjectAltNames,
} from './profiles';
import { dnAttributes, identitySubject, type DistinguishedName, type ServiceIdentity } from './subject';
import { verifyCertificateChain, type CertificatePurpose } from './verify';

/** Default CA name (`CN`); an installation may name its own. */
export const DEFAULT_CA_COMMON_NAME = 'Wharf Root CA';

/** Root CA lifetime: 10 years, the usual private-root lifetime; re-keying a root is a manual event. */
export const CA_VALIDITY_DAYS = 3650;

/**
 * Default service certificate lifetime: one year. Rotation re-issues after two thirds of it
 * (`renewalDecision`), so a missed rotation run has four months of slack, not days.
 */
export const DEFAULT_LEAF_VALIDITY_DAYS = 365;

/** Longest leaf lifetime accepted (the most browsers ever allowed): longer hides broken rotation. */
export const MAX_LEAF_VALIDITY_DAYS = 825;

/**
 * `notBefore` is set this far in the past, so a host whose clock is a few minutes behind the CA's
 * still accepts a certificate issued just now.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of {@link createRootCa}. */
export interface RootCaOptions {
  readonly commonName?: string;
  readonly validityDays?: number;
  /** Injected clock; default now. */
  readonly now?: Date;
}

/** What the CA is asked to certify. The CA, not the CSR, decides subject and SANs. */
export interface SignRequest {
  readonly profile: CertificateProfile;
  /** A service identity (`O=Wharf, OU=<role>, CN=<hostId>`) or an explicit subject. */
  readonly subject: ServiceIdentity | DistinguishedName;
  readonly sans?: SubjectAltNames;
  readonly validityDays?: number;
  readonly now?: Date;
}

/** A signed certificate; `keyPem` only when the CA generated the key ({@link CertificateAuthority.issue}). */
export interface IssuedCertificate {
  readonly certPem: string;
  /** The CA certificate to trust it by. */
  readonly caPem: string;
  readonly info: CertificateInfo;
}

/** A certificate with the private key generated for it (PKCS#8 PEM: write it 0600, never log it). */
export interface IssuedKeyPair extends IssuedCertificate {
  readonly keyPem: string;
}

/** Creates a self-signed root CA with a fresh RSA-3072 key. */
export async function createRootCa(options: RootCaOptions = {}): Promise<CertificateAuthority> {
  const now = options.now ?? new Date();
  const days = validityDays(options.validityDays ?? CA_VALIDITY_DAYS, CA_VALIDITY_DAYS * 3);
  const keys = await generateRsaKeyPair(CA_KEY_BITS);
  const key = loadPrivateKey(keys.privateKeyPem);
  const name = dnAttributes({ commonName: options.commonName ?? DEFAULT_CA_COMMON_NAME });
  const certPem = buildCertificatePem(
    {
      subject: name,
      issuer: name,
      publicKeyPem: keys.publicKeyPem,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
      notAfter: new Date(now.getTime() + days * DAY_MS),
      extensions: caExtensions(),
    },
    key,
  );
  return new CertificateAuthority(certPem, key);
}

/**
 * The installation's certificate authority: a CA certificate and its private key, held in memory
 * as an opaque KeyObject. The key is never part of `toJSON()` or `inspect()` output; it leaves
 * only through {@link exportKeyPem} (for the CA store).
 */
export class CertificateAuthority {
  /** The CA certificate (PEM): publish it, trust it. */
  readonly certPem: string;
  readonly info: CertificateInfo;
  readonly #key: KeyObject;
  readonly #keyId: string;

  /** Prefer {@link CertificateAuthority.fromPem} or {@link createRootCa}. */
  constructor(certPem: string, key: KeyObject) {
    this.info = inspectCertificate(certPem, 'ca');
    if (!this.info.isCa) throw caError('not a CA certificate (basicConstraints cA is not set)');
    const certKey = createPublicKey(this.info.publicKeyPem).export({ type: 'spki', format: 'der' });
    if (!createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(certKey)) {
      throw caError('the private key does not belong to the CA certificate');
    }
    this.certPem = this.info.pem;
    this.#key = key;
    this.#keyId = subjectKeyIdOf(parseForgeCertificate(this.certPem));
  }

  /** Loads a CA from its certificate and (possibly encrypted) key PEM. */
  static fromPem(
    certPem: string | Buffer,
    keyPem: string | Buffer,
    passphrase?: string,
  ): CertificateAuthority {
    return new CertificateAuthority(
      singlePem(certPem, PEM_TYPES.certificate, 'ca'),
      loadPrivateKey(keyPem, passphrase),
    );
  }

  /**
   * Signs a CSR after checking its self-signature. Only the CSR's public key is used: subject and
   * SANs come from `request` (the enrolment decides them; read the CSR's wishes with `parseCsr`).
   */
  signCsr(csrPem: string | Buffer, request: SignRequest): IssuedCertificate {
    return this.sign(parseCsr(csrPem).publicKeyPem, request);
  }

  /** Generates an RSA-2048 key and a certificate for it (bootstrap, the director's own, tests). */
  async issue(request: SignRequest): Promise<IssuedKeyPair> {
    const keys = await generateRsaKeyPair(LEAF_KEY_BITS);
    return { ...this.sign(keys.publicKeyPem, request), keyPem: keys.privateKeyPem };
  }

  /**
   * Re-issues a certificate this CA signed (rotation): same subject, SANs and profile, a new key
   * and a fresh validity period. WHARF_PKI_UNTRUSTED when `certPem` is not this CA's.
   */
  async reissue(
    certPem: string | Buffer,
    options: { validityDays?: number; now?: Date } = {},
  ): Promise<IssuedKeyPair> {
    // Checked at issue time, not now: an expired certificate is exactly what may need re-issuing.
    const issuedAt = new Date(inspectCertificate(certPem).notBefore.getTime() + CLOCK_SKEW_ALLOWANCE_MS);
    const current = verifyCertificateChain(certPem, { trustedPem: this.certPem, now: issuedAt });
    if (current.profile === null) throw caError('certificate has no TLS usage to re-issue');
    return this.issue({ profile: current.profile, subject: current.subject, sans: current.sans, ...options });
  }

  /** Verifies that `certPem` chains to this CA, is valid at `now` and (optionally) fits `purpose`. */
  verify(
    certPem: string | Buffer,
    options: { now?: Date; purpose?: CertificatePurpose } = {},
  ): CertificateInfo {
    return verifyCertificateChain(certPem, { trustedPem: this.certPem, ...options });
  }

  /** The CA key as PKCS#8 PEM, encrypted when `passphrase` is given. Only for the CA store. */
  exportKeyPem(passphrase?: string): string {
    const pem = privateKeyToPem(this.#key);
    return passphrase === undefined ? pem : encryptPrivateKeyPem(pem, passphrase);
  }

  /** JSON form: the certificate only. */
  toJSON(): { certPem: string } {
    return { certPem: this.certPem };
  }

  [inspect.custom](): string {
    return `CertificateAuthority { subject: '${this.info.x509Id}', notAfter: ${this.info.notAfter.toISOString()} }`;
  }

  private sign(publicKeyPem: string, request: SignRequest): IssuedCertificate {
    const now = request.now ?? new Date();
    const days = validityDays(request.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS, MAX_LEAF_VALIDITY_DAYS);
    if (now.getTime() >= this.info.notAfter.getTime()) throw caError('the CA certificate has expired');
    const subject = 'hostId' in request.subject ? identitySubject(request.subject) : request.subject;
    const sans = normalizeSans(request.sans, request.profile);
    // A leaf must not outlive its CA: past the CA's notAfter the chain would not verify anyway.
    const notAfter = Math.min(now.getTime() + days * DAY_MS, this.info.notAfter.getTime());
    const certPem = buildCertificatePem(
      {
        subject: dnAttributes(subject),
        issuer: dnAttributes(this.info.subject),
        publicKeyPem,
        notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS),
        notAfter: new Date(notAfter),
        extensions: leafExtensions(request.profile, sans, this.#keyId),
      },
      this.#key,
    );
    return { certPem, caPem: this.certPem, info: inspectCertificate(certPem) };
  }
}

function validityDays(value: number, max: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new WharfError('WHARF_PKI_INVALID', 'invalid validityDays', {
      details: { field: 'validityDays', value, min: 0, max },
    });
  }
  return value;
}

function caError(reason: string): WharfError {
  return new WharfError('WHARF_PKI_KEY_ERROR', `unusable CA: ${reason}`, { details: { reason } });
}
