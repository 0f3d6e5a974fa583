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
  type IssuedCertificate,
  type IssuedKeyPair,
  MAX_LEAF_VALIDITY_DAYS,
  type RootCaOptions,
  type SignRequest,
  createRootCa,
} from './ca';
export {
  CA_CERT_FILE,
  CA_DIR_MODE,
  CA_KEY_FILE,
  CA_PASSPHRASE_ENV,
  type CaStoreOptions,
  PUBLIC_FILE_MODE,
  SECRET_FILE_MODE,
  loadCa,
  loadOrCreateCa,
  saveCa,
  writeFileAtomic,
} from './ca-store';
export { type CsrInfo, type CsrOptions, createCsr, parseCsr } from './csr';
export { type CertificateInfo, expirySeconds, inspectCertificate } from './inspect';
export {
  CA_KEY_BITS,
  type KeyPairPem,
  LEAF_KEY_BITS,
  MIN_KEY_BITS,
  MIN_PASSPHRASE_LENGTH,
  decryptPrivateKeyPem,
  encryptPrivateKeyPem,
  generateRsaKeyPair,
  isEncryptedKeyPem,
} from './keys';
export { MAX_PEM_CHARS, PEM_TYPES, type PemBlock, pemBlocksOf, splitPem } from './pem';
export {
  CERTIFICATE_PROFILES,
  type CertificateProfile,
  MAX_SANS,
  type NormalizedSans,
  type SubjectAltNames,
  assertProfile,
  normalizeSans,
} from './profiles';
export {
  MIN_RENEW_BEFORE_MS,
  RENEW_REMAINING_FRACTION,
  type RenewalAction,
  type RenewalDecision,
  renewAt,
  renewalDecision,
} from './rotation';
export {
  type DistinguishedName,
  type ServiceIdentity,
  WHARF_ORGANIZATION,
  identityOf,
  identitySubject,
  x509Id,
} from './subject';
export {
  SERVICE_CERT_FILE,
  SERVICE_KEY_FILE,
  TRUSTED_CA_FILE,
  type TlsCredentials,
  readTlsCredentials,
  writeTlsCredentials,
} from './tls-files';
export { type CertificatePurpose, type VerifyOptions, verifyCertificateChain } from './verify';
export {
  CA_PATH,
  DEFAULT_DIRECTOR_PORT,
  ENROL_PATH,
  RENEW_PATH,
  type RenewRequest,
  type EnrolRequest,
  type EnrolResponse,
  FINGERPRINT_PREFIX,
  caFingerprint,
  parseCaFingerprint,
} from './enrolment';
export {
  DEFAULT_ENROL_TIMEOUT_MS,
  type EnrolHostOptions,
  type EnrolResult,
  type EnrolledService,
  enrolHost,
} from './enrol-client';
export { type RenewCertificatesOptions, renewCertificates } from './renew-client';
export {
  CERTIFIED_SERVICES,
  type CertifiedService,
  ROLE_CERTIFIED_SERVICES,
  isCertifiedService,
  rolesForServices,
  servicesForHostRoles,
} from './services';
