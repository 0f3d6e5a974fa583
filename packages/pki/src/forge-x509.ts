import { randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { invalidPem } from './pem';

/*
 * The only file that assembles X.509 structures with node-forge. forge builds and parses the
 * ASN.1; the RSA signature itself is computed by Node's native crypto over forge's DER-encoded
 * to-be-signed structure — forge's pure-JS RSA signing costs ~110 ms per RSA-3072 signature, the
 * native one ~3 ms. The result is byte-for-byte what `cert.sign(key, sha256)` would produce.
 */

// Present in forge 1.4.3 (lib/x509.js) but missing from @types/node-forge 1.3.14.
const pki = forge.pki as typeof forge.pki & {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): forge.asn1.Asn1;
};

/** Bytes of a certificate serial: 16 random bytes, like most public CAs (RFC 5280 allows ≤ 20). */
export const SERIAL_BYTES = 16;

/** What one certificate says, before it is signed. */
export interface CertificateSpec {
  readonly subject: { shortName: string; value: string }[];
  readonly issuer: { shortName: string; value: string }[];
  readonly publicKeyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: Record<string, unknown>[];
  /** Hex serial; random when omitted. */
  readonly serialHex?: string;
}

/** A random positive serial in minimal DER form: top byte in [0x40, 0x7f], so never negative or padded. */
export function randomSerialHex(bytes: Buffer = randomBytes(SERIAL_BYTES)): string {
  const copy = Buffer.from(bytes);
  copy[0] = (copy[0]! & 0x3f) | 0x40;
  return copy.toString('hex');
}

/** Builds the certificate described by `spec` and signs it (SHA-256 with RSA) with `issuerKey`. */
export function buildCertificatePem(spec: CertificateSpec, issuerKey: KeyObject): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.serialNumber = spec.serialHex ?? randomSerialHex();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer);
  cert.setExtensions(spec.extensions);
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const tbs = forge.asn1.toDer(pki.getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), issuerKey).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** A CSR for `subject` and SAN extension, signed with the requester's key (proof of possession). */
export function buildCsrPem(
  subject: { shortName: string; value: string }[],
  extensions: Record<string, unknown>[],
  publicKeyPem: string,
  privateKey: KeyObject,
): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  csr.setSubject(subject);
  if (extensions.length > 0) csr.setAttributes([{ name: 'extensionRequest', extensions }]);
  csr.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  csr.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const info = forge.asn1.toDer(pki.getCertificationRequestInfo(csr)).getBytes();
  csr.signature = sign('sha256', Buffer.from(info, 'binary'), privateKey).toString('binary');
  return forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n');
}

/** Parses one certificate PEM with forge; WHARF_PKI_INVALID when it is not a readable RSA certificate. */
export function parseForgeCertificate(pem: string, field = 'certificate'): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch (err) {
    throw invalidPem(field, 'unreadable certificate (Wharf reads RSA certificates only)', err);
  }
}

/** Parses one CSR PEM with forge; WHARF_PKI_INVALID when unreadable. */
export function parseForgeCsr(pem: string, field = 'csr'): forge.pki.CertificateSigningRequest {
  try {
    return forge.pki.certificationRequestFromPem(pem);
  } catch (err) {
    throw invalidPem(field, 'unreadable certificate request (Wharf reads RSA requests only)', err);
  }
}

/** forge's public key as SPKI PEM. */
export function forgePublicKeyPem(key: forge.pki.PublicKey): string {
  return forge.pki.publicKeyToPem(key).replace(/\r\n/g, '\n');
}

/** The subject key identifier forge computes for a certificate (SHA-1 of the public key), as bytes. */
export function subjectKeyIdOf(cert: forge.pki.Certificate): string {
  return cert.generateSubjectKeyIdentifier().getBytes();
}

/** Attributes of a forge DN in certificate order. */
export function dnAttributesOf(attrs: forge.pki.CertificateField[]): { shortName: string; value: string }[] {
  return attrs.map((a) => ({
    shortName: a.shortName ?? a.name ?? a.type ?? '',
    value: String(a.value),
  }));
}
