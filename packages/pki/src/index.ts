/**
 * @packageDocumentation
 * Wharf's certificate authority, the only importer of node-forge: a root CA (RSA-3072, 10 years),
 * CSRs, signing with service identities and SANs, chain verification, rotation decisions and the
 * CA key store (0600, optionally passphrase-encrypted). RSA only: node-forge cannot build ECDSA
 * or Ed25519 certificates. Key generation and signatures use Node's native crypto.
 */
export {
  CA_VALIDITY_DAYS,
  CLOCK_SKEW_ALLOWANCE_MS,
  CertificateAuthority,
  DEFAULT_CA_COMMON_NAME,
  DEFAULT_LEAF_VALIDITY_DAYS,
  MAX_LEAF_VALIDITY_DAYS,
  createRootCa,
} from './ca';
export type { IssuedCertificate, IssuedKeyPair, RootCaOptions, SignRequest } from './ca';
export {
  CA_CERT_FILE,
  CA_DIR_MODE,
  CA_KEY_FILE,
  CA_PASSPHRASE_ENV,
  PUBLIC_FILE_MODE,
  SECRET_FILE_MODE,
  loadCa,
  loadOrCreateCa,
  saveCa,
  writeFileAtomic,
} from './ca-store';
export type { CaStoreOptions } from './ca-store';
export { createCsr, parseCsr } from './csr';
export type { CsrInfo, CsrOptions } from './csr';
export { expirySeconds, inspectCertificate } from './inspect';
export type { CertificateInfo } from './inspect';
export {
  CA_KEY_BITS,
  LEAF_KEY_BITS,
  MIN_KEY_BITS,
  MIN_PASSPHRASE_LENGTH,
  decryptPrivateKeyPem,
  encryptPrivateKeyPem,
  generateRsaKeyPair,
  isEncryptedKeyPem,
} from './keys';
export type { KeyPairPem } from './keys';
export { MAX_PEM_CHARS, PEM_TYPES, pemBlocksOf, splitPem } from './pem';
export type { PemBlock } from './pem';
export { CERTIFICATE_PROFILES, MAX_SANS, assertProfile, normalizeSans } from './profiles';
export type { CertificateProfile, NormalizedSans, SubjectAltNames } from './profiles';
export { MIN_RENEW_BEFORE_MS, RENEW_REMAINING_FRACTION, renewAt, renewalDecision } from './rotation';
export type { RenewalAction, RenewalDecision } from './rotation';
export { WHARF_ORGANIZATION, identityOf, identitySubject, x509Id } from './subject';
export type { DistinguishedName, ServiceIdentity } from './subject';
export {
  SERVICE_CERT_FILE,
  SERVICE_KEY_FILE,
  TRUSTED_CA_FILE,
  readTlsCredentials,
  writeTlsCredentials,
} from './tls-files';
export type { TlsCredentials } from './tls-files';
export { verifyCertificateChain } from './verify';
export type { CertificatePurpose, VerifyOptions } from './verify';
export {
  CA_PATH,
  DEFAULT_DIRECTOR_PORT,
  ENROL_PATH,
  FINGERPRINT_PREFIX,
  caFingerprint,
  parseCaFingerprint,
} from './enrolment';
export type { EnrolRequest, EnrolResponse } from './enrolment';
export { DEFAULT_ENROL_TIMEOUT_MS, enrolHost } from './enrol-client';
export type { EnrolHostOptions, EnrolResult, EnrolledRole } from './enrol-client';
