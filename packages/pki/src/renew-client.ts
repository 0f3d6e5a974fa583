/**
 * `wharf pki rotate`: re-issues a host's service certificates through the director. Each
 * service's certificate renews itself: the request is made over mutual TLS with the current
 * certificate and key (no roles token), the director answers a certificate for the same host and
 * service and a key generated here, and the files are replaced atomically (temp + rename, key
 * first, certificate last). Services re-read them: ZooKeeper clients at their next connection.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { call, csrsFor, directorUrl, parseAnswer, writeIssued, type EnrolledService } from './enrol-client';
import { RENEW_PATH, type RenewRequest } from './enrolment';
import { DEFAULT_ENROL_TIMEOUT_MS } from './enrol-client';
import { inspectCertificate } from './inspect';
import { isCertifiedService } from './services';
import { readTlsCredentials } from './tls-files';

/** Options of {@link renewCertificates}. */
export interface RenewCertificatesOptions {
  /** The director's enrolment endpoint, `https://host:port`. */
  readonly director: string;
  /** The host's TLS directory (`<dir>/<service>/{cert,key,ca}.pem`, as enrolment wrote it). */
  readonly dir: string;
  /** Only these services (default: every service directory under `dir`). */
  readonly services?: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * Renews every (or the named) service certificate under `dir`. The director must be trusted by
 * each service's own `ca.pem`. Throws the director's coded refusal (WHARF_UNAUTHORIZED naming
 * `certificate`: expired, another CA) or WHARF_PKI_UNTRUSTED (an answer that does not check);
 * services renewed before the failure keep their new files.
 */
export async function renewCertificates(options: RenewCertificatesOptions): Promise<EnrolledService[]> {
  const base = directorUrl(options.director);
  const services = options.services ?? (await serviceDirs(options.dir));
  const renewed: EnrolledService[] = [];
  for (const service of services) {
    const dir = join(options.dir, service);
    const current = await readTlsCredentials(dir);
    const hostId = inspectCertificate(current.cert).identity?.hostId;
    if (hostId === undefined) {
      throw new WharfError('WHARF_PKI_INVALID', `certificate in ${dir} names no Wharf service`, {
        details: { field: 'cert', path: dir },
      });
    }
    const requests = await csrsFor(hostId, [service]);
    const body: RenewRequest = { csr: requests.csrs[service]! };
    const answer = await call(
      new URL(RENEW_PATH, base),
      { method: 'POST', ca: current.ca, cert: current.cert, key: current.key, rejectUnauthorized: true },
      options.timeoutMs ?? DEFAULT_ENROL_TIMEOUT_MS,
      JSON.stringify(body),
    );
    renewed.push(
      ...(await writeIssued(parseAnswer(answer), requests, { hostId, dir: options.dir, caPem: current.ca })),
    );
  }
  return renewed;
}

/** The service directories under `dir` (names of certified services only). */
async function serviceDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    throw new WharfError('WHARF_PKI_KEY_ERROR', 'TLS directory missing or unreadable', {
      details: { path: dir },
      cause: err,
    });
  });
  return entries
    .filter((e) => e.isDirectory() && isCertifiedService(e.name))
    .map((e) => e.name)
    .sort();
}
