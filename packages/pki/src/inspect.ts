import { X509Certificate } from 'node:crypto';
import type forge from 'node-forge';
import { dnAttributesOf, forgePublicKeyPem, parseForgeCertificate } from './forge-x509';
import { PEM_TYPES, singlePem } from './pem';
import { profileOfUsages, type CertificateProfile, type NormalizedSans } from './profiles';
import { identityOf, rfc2253, type DistinguishedName, type ServiceIdentity } from './subject';

/** What a certificate says, read once (safe to log: no key material). */
export interface CertificateInfo {
  /** The certificate itself, normalized PEM. */
  readonly pem: string;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** ZooKeeper's x509 id of the subject (`CN=…,OU=…,O=…`), see `x509Id`. */
  readonly x509Id: string;
  /** The host and role a service certificate names, or null. */
  readonly identity: ServiceIdentity | null;
  /** Lower-case hex. */
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly sans: NormalizedSans;
  readonly isCa: boolean;
  /** Profile from the extended key usages; null for a CA or a certificate without them. */
  readonly profile: CertificateProfile | null;
  /** SHA-256 fingerprint, `AB:CD:…` as OpenSSL and Node print it. */
  readonly fingerprint256: string;
  readonly publicKeyPem: string;
}

/** Reads a single certificate PEM. WHARF_PKI_INVALID when it is not exactly one readable certificate. */
export function inspectCertificate(pem: string | Buffer, field = 'certificate'): CertificateInfo {
  const block = singlePem(pem, PEM_TYPES.certificate, field);
  return infoOf(parseForgeCertificate(block, field), block);
}

/** {@link CertificateInfo} of a parsed forge certificate (for files that already parsed it). */
export function infoOf(cert: forge.pki.Certificate, pem: string): CertificateInfo {
  const subjectAttrs = dnAttributesOf(cert.subject.attributes);
  const subject = dnOf(subjectAttrs);
  const basic = cert.getExtension('basicConstraints') as { cA?: boolean } | undefined;
  const eku = cert.getExtension('extKeyUsage') as { serverAuth?: boolean; clientAuth?: boolean } | undefined;
  const isCa = basic?.cA === true;
  return Object.freeze({
    pem,
    subject,
    issuer: dnOf(dnAttributesOf(cert.issuer.attributes)),
    x509Id: rfc2253(subjectAttrs),
    identity: identityOf(subject),
    serialHex: cert.serialNumber.toLowerCase(),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    sans: sansOf(cert),
    isCa,
    profile: isCa ? null : profileOfUsages(eku?.serverAuth === true, eku?.clientAuth === true),
    fingerprint256: new X509Certificate(pem).fingerprint256,
    publicKeyPem: forgePublicKeyPem(cert.publicKey as forge.pki.PublicKey),
  });
}

/** Seconds until `info` expires at `now` (negative once expired): the `wharf_certificate_expiry_seconds` gauge. */
export function expirySeconds(info: Pick<CertificateInfo, 'notAfter'>, now: Date): number {
  return Math.floor((info.notAfter.getTime() - now.getTime()) / 1000);
}

function dnOf(attrs: { shortName: string; value: string }[]): DistinguishedName {
  const get = (name: string): string | undefined => attrs.find((a) => a.shortName === name)?.value;
  const ou = get('OU');
  const o = get('O');
  return {
    commonName: get('CN') ?? '',
    ...(ou === undefined ? {} : { organizationalUnit: ou }),
    ...(o === undefined ? {} : { organization: o }),
  };
}

function sansOf(cert: forge.pki.Certificate): NormalizedSans {
  const ext = cert.getExtension('subjectAltName') as
    { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  const names = ext?.altNames ?? [];
  return Object.freeze({
    dns: Object.freeze(names.filter((n) => n.type === 2).map((n) => String(n.value).toLowerCase())),
    ips: Object.freeze(names.filter((n) => n.type === 7 && n.ip !== undefined).map((n) => n.ip!)),
  });
}
