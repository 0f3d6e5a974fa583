/**
 * The joining host's half of enrolment (`wharf host enrol`): pin the director's CA by its SHA-256
 * fingerprint, generate one key per service the host's roles start (runner included) locally,
 * post CSRs with the roles token over TLS that must chain to the pinned CA, check what comes
 * back, and write `<dir>/<service>/{cert,key,ca}.pem`.
 */
import { createPublicKey } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { ERROR_CODES, WharfError, type HostRole, type WharfErrorCode } from '@wharf/model';
import { createCsr } from './csr';
import {
  CA_PATH,
  ENROL_PATH,
  caFingerprint,
  parseCaFingerprint,
  type EnrolRequest,
  type EnrolResponse,
} from './enrolment';
import { inspectCertificate } from './inspect';
import { generateRsaKeyPair, type KeyPairPem } from './keys';
import { servicesForHostRoles } from './services';
import { identitySubject } from './subject';
import { writeTlsCredentials } from './tls-files';
import { verifyCertificateChain } from './verify';

/** How long one request to the director may take (RSA signing of a few CSRs is milliseconds). */
export const DEFAULT_ENROL_TIMEOUT_MS = 15_000;
/** Largest answer read from a director: a few certificates are a few KB. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/** Options of {@link enrolHost}. */
export interface EnrolHostOptions {
  /** The director's enrolment endpoint, `https://host:port`. */
  readonly director: string;
  /** The CA fingerprint to pin (`sha256:<hex>`, printed by the director). */
  readonly caFingerprint: string;
  readonly token: string;
  readonly hostId: string;
  /** The host roles; one certificate per service they start, plus the runner's. */
  readonly roles: readonly HostRole[];
  /** Credentials are written to `<dir>/<service>/` (cert.pem, key.pem 0600, ca.pem). */
  readonly dir: string;
  readonly timeoutMs?: number;
}

/** One service's credentials as written. */
export interface EnrolledService {
  readonly service: string;
  readonly dir: string;
  readonly x509Id: string;
  readonly notAfter: Date;
}

/** What {@link enrolHost} did. */
export interface EnrolResult {
  readonly hostId: string;
  readonly caFingerprint: string;
  readonly services: readonly EnrolledService[];
}

/**
 * Enrols this host with a director. WHARF_PKI_UNTRUSTED when the director's CA does not match the
 * pin (nothing is sent then), or a returned certificate does not chain to it or certify our key;
 * the director's own coded refusal (WHARF_UNAUTHORIZED, WHARF_VALIDATION, …) otherwise.
 */
export async function enrolHost(options: EnrolHostOptions): Promise<EnrolResult> {
  const pin = parseCaFingerprint(options.caFingerprint);
  const base = directorUrl(options.director);
  const timeoutMs = options.timeoutMs ?? DEFAULT_ENROL_TIMEOUT_MS;
  // The CA is fetched without verification, then trusted only if it is the pinned one.
  const caPem = (await call(new URL(CA_PATH, base), { rejectUnauthorized: false }, timeoutMs)).text;
  if (caFingerprint(caPem) !== pin || !inspectCertificate(caPem, 'ca').isCa) {
    throw untrusted('ca_fingerprint_mismatch', 'the director CA does not match --ca-fingerprint');
  }
  const services = servicesForHostRoles(options.roles);
  const requests = await csrsFor(options.hostId, services);
  const body: EnrolRequest = { hostId: options.hostId, token: options.token, csrs: requests.csrs };
  const answer = await call(
    new URL(ENROL_PATH, base),
    { method: 'POST', ca: caPem, rejectUnauthorized: true },
    timeoutMs,
    JSON.stringify(body),
  );
  const written = await writeIssued(parseAnswer(answer), requests, { ...options, caPem });
  return { hostId: options.hostId, caFingerprint: pin, services: written };
}

/** One fresh key and CSR per service, generated here (the keys never leave this host). */
export async function csrsFor(
  hostId: string,
  services: readonly string[],
): Promise<{ csrs: Record<string, string>; keys: Map<string, KeyPairPem> }> {
  const pairs = await Promise.all(services.map(() => generateRsaKeyPair()));
  const keys = new Map<string, KeyPairPem>();
  const csrs: Record<string, string> = {};
  for (const [i, service] of services.entries()) {
    const pair = pairs[i]!;
    keys.set(service, pair);
    const subject = identitySubject({ hostId, role: service });
    csrs[service] = createCsr({ privateKeyPem: pair.privateKeyPem, subject });
  }
  return { csrs, keys };
}

/** Checks every returned certificate and writes `<dir>/<service>/` (each file atomically). */
export async function writeIssued(
  response: EnrolResponse,
  requests: { keys: ReadonlyMap<string, KeyPairPem> },
  options: { hostId: string; dir: string; caPem: string },
): Promise<EnrolledService[]> {
  const checked = [...requests.keys].map(([service, pair]) => ({
    service,
    pair,
    cert: checkedCertificate(response, service, options.hostId, options.caPem, pair.publicKeyPem),
  }));
  // Everything is checked before anything is written: a bad answer leaves the old files alone.
  const written: EnrolledService[] = [];
  for (const { service, pair, cert } of checked) {
    const dir = join(options.dir, service);
    await writeTlsCredentials(dir, { ca: options.caPem, cert: cert.pem, key: pair.privateKeyPem });
    written.push({ service, dir, x509Id: cert.x509Id, notAfter: cert.notAfter });
  }
  return written;
}

/** `https://host:port` checked; WHARF_VALIDATION naming `director` otherwise. */
export function directorUrl(raw: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    const message = 'expected https://<host>:<port>';
    throw new WharfError('WHARF_VALIDATION', `invalid director: ${message}`, {
      details: [{ path: 'director', message }],
    });
  }
  return url;
}

/** The certificate for `role`, checked: chains to the pinned CA, names host and role, certifies our key. */
function checkedCertificate(
  response: EnrolResponse,
  role: string,
  hostId: string,
  caPem: string,
  publicKeyPem: string,
): ReturnType<typeof inspectCertificate> {
  const pem = response.certificates[role];
  if (typeof pem !== 'string') throw untrusted('missing_certificate', `no certificate for role ${role}`);
  const info = verifyCertificateChain(pem, { trustedPem: caPem, purpose: 'clientAuth' });
  const der = (key: string): Buffer => createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (info.identity?.hostId !== hostId || info.identity.role !== role) {
    throw untrusted('wrong_identity', `certificate for role ${role} names ${info.x509Id}`);
  }
  if (!der(info.publicKeyPem).equals(der(publicKeyPem))) {
    throw untrusted('wrong_key', `certificate for role ${role} does not certify this host's key`);
  }
  return info;
}

export function parseAnswer(answer: { status: number; text: string }): EnrolResponse {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  if (answer.status === 201 && typeof body === 'object' && body !== null && 'certificates' in body) {
    return body as EnrolResponse;
  }
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
    ?.error;
  const code: WharfErrorCode =
    error?.code !== undefined && error.code in ERROR_CODES
      ? (error.code as WharfErrorCode)
      : 'WHARF_UNAVAILABLE';
  throw new WharfError(code, `director refused enrolment: ${error?.message ?? `HTTP ${answer.status}`}`, {
    details: error?.details,
    status: answer.status,
  });
}

/** One HTTPS request; resolves with status and body text (bounded), rejects on transport errors. */
export function call(
  url: URL,
  options: RequestOptions,
  timeoutMs: number,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        ...options,
        timeout: timeoutMs,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('director answer too large'));
          else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('director did not answer in time')));
    req.on('error', (err) => reject(transportError(url, err)));
    req.end(body);
  });
}

function transportError(url: URL, err: Error): WharfError {
  const code = (err as NodeJS.ErrnoException).code;
  const tlsRefusal = typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
  if (tlsRefusal) {
    return untrusted('server_certificate', `director certificate not trusted: ${err.message}`, err);
  }
  return new WharfError('WHARF_UNAVAILABLE', `director unreachable: ${err.message}`, {
    details: { director: url.origin, ...(code === undefined ? {} : { transportError: code }) },
    cause: err,
  });
}

function untrusted(reason: string, message: string, cause?: unknown): WharfError {
  return new WharfError('WHARF_PKI_UNTRUSTED', message, { details: { reason }, cause });
}
