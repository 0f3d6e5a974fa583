/**
 * `POST /enrol` bodies, checked by hand before anything else happens (three fields): every issue
 * is a WHARF_VALIDATION naming its field, and each CSR's self-signature is verified (proof that
 * the host holds the key) before the roles token is even looked up. CSRs are keyed by service
 * (`api`, `runner`, …), the `OU` the ZooKeeper ACLs name; the host roles they need are derived.
 */
import { WharfError, isValidId, type HostRole } from '@wharf/model';
import {
  CERTIFIED_SERVICES,
  isCertifiedService,
  parseCsr,
  rolesForServices,
  type CertifiedService,
} from '@wharf/pki';

/** Longest token accepted: `wharf_` + a 63-character id + `_` + a 128-character secret. */
export const MAX_TOKEN_LENGTH = 200;
/** Largest CSR accepted: an RSA-4096 CSR is about 1.7 KB of PEM. */
export const MAX_CSR_CHARS = 16 * 1024;

/** A checked enrolment request: the CSRs' keys, by service. */
export interface ParsedEnrolRequest {
  readonly hostId: string;
  readonly token: string;
  readonly services: readonly CertifiedService[];
  /** The host roles the services call for: what the token must grant. */
  readonly roles: readonly HostRole[];
  /** The CSR PEM of each service (self-signature checked). */
  readonly csrs: ReadonlyMap<CertifiedService, string>;
}

function invalid(path: string, message: string, cause?: unknown): WharfError {
  return new WharfError('WHARF_VALIDATION', `invalid ${path}: ${message}`, {
    details: [{ path, message }],
    cause,
  });
}

const FIELDS = new Set(['hostId', 'token', 'csrs']);

/** Validates a `POST /enrol` body; throws WHARF_VALIDATION naming the first bad field. */
export function parseEnrolRequest(body: unknown): ParsedEnrolRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('body', 'expected a JSON object');
  const fields = body as Record<string, unknown>;
  const extra = Object.keys(fields).find((key) => !FIELDS.has(key));
  if (extra !== undefined) throw invalid(extra, 'unknown field');
  const { hostId, token, csrs } = fields;
  if (typeof hostId !== 'string' || !isValidId(hostId))
    throw invalid('hostId', 'must be a host id (lowercase letters, digits, inner hyphens; 1-63)');
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
    throw invalid('token', `must be a roles token of at most ${MAX_TOKEN_LENGTH} characters`);
  if (typeof csrs !== 'object' || csrs === null || Array.isArray(csrs))
    throw invalid('csrs', 'must be an object of service → CSR PEM');
  const entries = Object.entries(csrs as Record<string, unknown>);
  if (entries.length === 0) throw invalid('csrs', 'ask for at least one service');
  const out = new Map<CertifiedService, string>();
  for (const [service, pem] of entries) {
    const path = `csrs.${service.slice(0, 32)}`;
    if (!isCertifiedService(service))
      throw invalid(path, `unknown service (services: ${CERTIFIED_SERVICES.join(', ')})`);
    if (typeof pem !== 'string' || pem.length > MAX_CSR_CHARS)
      throw invalid(path, `must be a CSR in PEM of at most ${MAX_CSR_CHARS} characters`);
    try {
      parseCsr(pem);
    } catch (err) {
      throw invalid(path, 'not a valid, self-signed certificate signing request', err);
    }
    out.set(service, pem);
  }
  const services = [...out.keys()];
  return { hostId, token, services, roles: rolesForServices(services), csrs: out };
}
