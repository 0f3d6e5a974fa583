/**
 * `POST /renew`: a service renews its own certificate. The request is authenticated by the
 * certificate being renewed (mutual TLS to the enrolment endpoint), not by a roles token: the
 * peer certificate must chain to the CA, be valid now and be a client certificate naming a Wharf
 * service; the new certificate names exactly the same host and service, for the CSR's key.
 */
import { type TLSSocket } from 'node:tls';
import { WharfError } from '@wharf/model';
import {
  isCertifiedService,
  parseCsr,
  verifyCertificateChain,
  type CertifiedService,
  type ServiceIdentity,
} from '@wharf/pki';
import { MAX_CSR_CHARS } from './enrol-request';

/** A checked renewal: who the peer certificate names, and the CSR for the new key. */
export interface ParsedRenewRequest {
  readonly hostId: string;
  readonly service: CertifiedService;
  readonly csr: string;
}

function refused(message: string): WharfError {
  return new WharfError('WHARF_UNAUTHORIZED', message, { details: [{ path: 'certificate', message }] });
}

/**
 * The identity of the client certificate on `socket`. WHARF_UNAUTHORIZED naming `certificate`
 * when there is none, it does not chain to `caPem`, it expired, it is not a client certificate,
 * or it names no Wharf service.
 */
export function peerIdentity(
  socket: TLSSocket,
  caPem: string,
  now: Date,
): ServiceIdentity & { role: CertifiedService } {
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined) throw refused('renewal needs the current certificate (mutual TLS)');
  if (!socket.authorized)
    throw refused(`client certificate not trusted: ${String(socket.authorizationError)}`);
  let identity: ServiceIdentity | null;
  try {
    identity = verifyCertificateChain(peer.toString(), {
      trustedPem: caPem,
      now,
      purpose: 'clientAuth',
    }).identity;
  } catch (err) {
    throw refused(`client certificate not accepted: ${(err as Error).message}`);
  }
  if (identity === null || !isCertifiedService(identity.role))
    throw refused('client certificate names no Wharf service');
  return { hostId: identity.hostId, role: identity.role };
}

/** Validates a `POST /renew` body (`{ csr }`); WHARF_VALIDATION naming the field. */
export function parseRenewRequest(
  body: unknown,
  identity: { hostId: string; role: CertifiedService },
): ParsedRenewRequest {
  const invalid = (path: string, message: string, cause?: unknown) =>
    new WharfError('WHARF_VALIDATION', `invalid ${path}: ${message}`, {
      details: [{ path, message }],
      cause,
    });
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('body', 'expected a JSON object');
  const extra = Object.keys(body).find((key) => key !== 'csr');
  if (extra !== undefined) throw invalid(extra, 'unknown field');
  const { csr } = body as { csr?: unknown };
  if (typeof csr !== 'string' || csr.length > MAX_CSR_CHARS)
    throw invalid('csr', `must be a CSR in PEM of at most ${MAX_CSR_CHARS} characters`);
  try {
    parseCsr(csr);
  } catch (err) {
    throw invalid('csr', 'not a valid, self-signed certificate signing request', err);
  }
  return { hostId: identity.hostId, service: identity.role, csr };
}
