/**
 * The certificates a secure `wharf host join` starts the runner with: the ones already in the
 * host's TLS directory when they are all still good (a re-run of join, a restart), else new ones
 * from the director (`enrolHost`: CA pinned by fingerprint, keys made here). Enrolment writes
 * nothing until every certificate came back and checked, so a refused join leaves no key behind.
 */
import { createPublicKey } from 'node:crypto';
import { WharfError, type HostRole } from '@wharf/model';
import {
  DEFAULT_DIRECTOR_PORT,
  type EnrolledService,
  caFingerprint,
  enrolHost,
  parseCaFingerprint,
  readTlsCredentials,
  renewalDecision,
  servicesForHostRoles,
  verifyCertificateChain,
} from '@wharf/pki';
import { join } from 'node:path';

/** Where `--director` points by default: the director on this host. */
export const DEFAULT_DIRECTOR_URL = `https://127.0.0.1:${DEFAULT_DIRECTOR_PORT}`;

/** What a secure join needs to find or get its certificates. */
export interface HostCertificatesRequest {
  readonly hostId: string;
  readonly roles: readonly HostRole[];
  /** `<dir>/<service>/{cert,key,ca}.pem`. */
  readonly dir: string;
  readonly director: string;
  /** Needed to enrol; when given, kept certificates must chain to this CA too. */
  readonly caFingerprint: string | undefined;
  /** Needed to enrol (a bootstrap has none: it can only reuse certificates). */
  readonly token: string | undefined;
  readonly now: Date;
}

/** The certificates the runner will use. */
export interface HostCertificates {
  readonly dir: string;
  /** True when every certificate was already there and good; false when just enrolled. */
  readonly reused: boolean;
  readonly caFingerprint: string;
  /** Services whose kept certificate is past its renewal point (`wharf pki rotate` renews them). */
  readonly dueForRenewal: readonly string[];
  readonly services: readonly EnrolledService[];
}

/** Reuses this host's certificates when they are all good, else enrols; coded errors otherwise. */
export async function ensureHostCertificates(request: HostCertificatesRequest): Promise<HostCertificates> {
  const pin =
    request.caFingerprint === undefined
      ? undefined
      : parseCaFingerprint(request.caFingerprint, '--ca-fingerprint');
  const kept = await keptCertificates(request, pin);
  if (kept !== undefined) return kept;
  if (request.token === undefined) {
    const message =
      `no valid certificates for this host in ${request.dir}: a secure bootstrap reuses the ones ` +
      '`wharf up --secure` or an operator put there; else give --insecure';
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--bootstrap', message }] });
  }
  if (pin === undefined) {
    const message = "give --ca-fingerprint (the director CA's sha256, printed by the director) to enrol";
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--ca-fingerprint', message }] });
  }
  const result = await enrolHost({
    director: request.director,
    caFingerprint: pin,
    token: request.token,
    hostId: request.hostId,
    roles: request.roles,
    dir: request.dir,
  });
  return {
    dir: request.dir,
    reused: false,
    caFingerprint: pin,
    dueForRenewal: [],
    services: result.services,
  };
}

/**
 * The certificates in `dir` when every service of the roles has one that chains to its CA (the
 * pinned one, if any; one CA for all), names this host and service, certifies its key and is
 * within its validity; undefined otherwise (enrol anew).
 */
async function keptCertificates(
  request: HostCertificatesRequest,
  pin: string | undefined,
): Promise<HostCertificates | undefined> {
  const services: EnrolledService[] = [];
  const due: string[] = [];
  let ca: string | undefined;
  for (const service of servicesForHostRoles(request.roles)) {
    const dir = join(request.dir, service);
    try {
      const files = await readTlsCredentials(dir);
      if ((ca ?? files.ca) !== files.ca || (pin !== undefined && caFingerprint(files.ca) !== pin))
        return undefined;
      ca = files.ca;
      const info = verifyCertificateChain(files.cert, {
        trustedPem: files.ca,
        purpose: 'clientAuth',
        now: request.now,
      });
      const der = (key: string) => createPublicKey(key).export({ type: 'spki', format: 'der' });
      if (info.identity?.hostId !== request.hostId || info.identity.role !== service) return undefined;
      if (!der(info.publicKeyPem).equals(der(files.key))) return undefined;
      const action = renewalDecision(info, request.now).action;
      if (action !== 'keep' && action !== 'renew') return undefined;
      if (action === 'renew') due.push(service);
      services.push({ service, dir, x509Id: info.x509Id, notAfter: info.notAfter });
    } catch {
      // Missing, unreadable, a group-readable key, or not trusted: enrol anew.
      return undefined;
    }
  }
  if (ca === undefined) return undefined;
  return { dir: request.dir, reused: true, caFingerprint: caFingerprint(ca), dueForRenewal: due, services };
}
