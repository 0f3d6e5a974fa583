/**
 * The director's enrolment exchange, shared by the director (server) and `wharf host enrol`
 * (client): paths, bodies and the CA fingerprint a joining host pins. A host generates its keys,
 * posts one CSR per role with its roles token, and gets back `CN=<hostId>,OU=<role>,O=Wharf`
 * certificates for them; the private keys never leave the host.
 */
import { X509Certificate } from 'node:crypto';
import { WharfError } from '@wharf/model';
import { PEM_TYPES, singlePem } from './pem';

/** Default port of the director's enrolment endpoint (docs/architecture.md, "Default ports"). */
export const DEFAULT_DIRECTOR_PORT = 12500;
/** `POST` here: {@link EnrolRequest} → {@link EnrolResponse}. */
export const ENROL_PATH = '/enrol';
/**
 * `POST` here over mutual TLS with the current certificate: {@link RenewRequest} →
 * {@link EnrolResponse} with one certificate, same host and service, for the CSR's key.
 */
export const RENEW_PATH = '/renew';
/** `GET` here: the CA certificate (PEM), to be checked against the pinned fingerprint. */
export const CA_PATH = '/ca';
/** Prefix of a CA fingerprint as the director prints it and the CLI takes it. */
export const FINGERPRINT_PREFIX = 'sha256:';

/** `POST /enrol` body. */
export interface EnrolRequest {
  readonly hostId: string;
  /** The roles token, `wharf_<id>_<secret>`. */
  readonly token: string;
  /** One CSR (PEM) per service asked for (`runner`, `api`, …: the ACLs' `OU`). */
  readonly csrs: Readonly<Record<string, string>>;
}

/** `POST /renew` body. */
export interface RenewRequest {
  /** A CSR for the new key (its subject is ignored: the peer certificate's identity is kept). */
  readonly csr: string;
}

/** `POST /enrol` and `POST /renew` answer (201). */
export interface EnrolResponse {
  readonly hostId: string;
  /** The CA certificate the certificates chain to. */
  readonly ca: string;
  /** One certificate (PEM) per service of the request. */
  readonly certificates: Readonly<Record<string, string>>;
}

/** `sha256:<lowercase hex>` of a certificate (DER), as `wharf host enrol --ca-fingerprint` takes it. */
export function caFingerprint(certPem: string | Buffer): string {
  const pem = singlePem(certPem, PEM_TYPES.certificate, 'ca');
  return FINGERPRINT_PREFIX + new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/**
 * Normalizes a pinned fingerprint: `sha256:<64 hex>` or OpenSSL's `AB:CD:…` form, any case.
 * WHARF_VALIDATION naming `field` otherwise.
 */
export function parseCaFingerprint(value: string, field = 'caFingerprint'): string {
  const hex = value
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    const message = 'expected sha256:<64 hex digits>';
    throw new WharfError('WHARF_VALIDATION', `invalid ${field}: ${message}`, {
      details: [{ path: field, message }],
    });
  }
  return FINGERPRINT_PREFIX + hex;
}
