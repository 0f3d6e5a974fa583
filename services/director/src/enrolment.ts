/**
 * Enrolment: a checked request and the roles token's record in, certificates out. The token is
 * verified (scrypt, `@wharf/model`'s `checkRolesToken`), every certificate is signed, and only
 * then is a one-shot token consumed, with a write conditional on the version read: of two
 * enrolments racing with one token, one write fails and its retry sees the token used.
 */
import {
  checkRolesToken,
  isWharfError,
  parseRolesToken,
  paths,
  rolesTokenRefused,
  type RolesToken,
} from '@wharf/model';
import { type CertificateAuthority, type EnrolResponse } from '@wharf/pki';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type ParsedEnrolRequest } from './enrol-request';

/** Attempts when the token record moved between read and write (the retry re-checks it). */
const ENROL_ATTEMPTS = 3;

/** Options of {@link enrol}. */
export interface EnrolOptions {
  readonly now: Date;
  /** Lifetime of the issued certificates (default: @wharf/pki's, one year). */
  readonly validityDays?: number;
}

/**
 * Issues `CN=<hostId>,OU=<service>,O=Wharf` client certificates for the request's CSRs. Throws
 * WHARF_UNAUTHORIZED naming `token` (malformed, unknown, bad secret, expired, used up),
 * WHARF_FORBIDDEN naming `token` (revoked) or `roles` (a service whose host role the token does
 * not grant); nothing is written then.
 */
export async function enrol(
  zk: ZkSession,
  ca: CertificateAuthority,
  request: ParsedEnrolRequest,
  options: EnrolOptions,
): Promise<EnrolResponse> {
  const parsed = parseRolesToken(request.token);
  if (parsed === undefined) throw rolesTokenRefused('malformed roles token');
  const docs = new DocumentStore(zk);
  const path = paths.rolesToken(parsed.id);
  for (let attempt = 1; ; attempt++) {
    const doc = await docs.read('roles-token', path);
    if (doc === undefined) throw rolesTokenRefused('unknown roles token');
    const use = { roles: request.roles, now: options.now, hostId: request.hostId, purpose: 'enrol' } as const;
    await checkRolesToken(doc.value, parsed.secret, use);
    const certificates = signAll(ca, request, options);
    if (doc.value.persistent) return { hostId: request.hostId, ca: ca.certPem, certificates };
    const consumed: RolesToken = {
      ...doc.value,
      enrolled_by: request.hostId,
      enrolled: options.now.toISOString(),
    };
    try {
      await docs.set('roles-token', path, consumed, doc.version);
      return { hostId: request.hostId, ca: ca.certPem, certificates };
    } catch (err) {
      const moved = isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE');
      if (!moved || attempt >= ENROL_ATTEMPTS) throw err;
      // Someone else moved (or deleted) the token: re-read and re-check; a consumed one-shot
      // token is refused then, a deleted one is unknown.
    }
  }
}

function signAll(
  ca: CertificateAuthority,
  request: ParsedEnrolRequest,
  options: EnrolOptions,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const service of request.services) {
    out[service] = ca.signCsr(request.csrs.get(service)!, {
      profile: 'client',
      subject: { hostId: request.hostId, role: service },
      now: options.now,
      ...(options.validityDays === undefined ? {} : { validityDays: options.validityDays }),
    }).certPem;
  }
  return out;
}
