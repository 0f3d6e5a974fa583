/**
 * Secure mode: each service the runner starts connects to ZooKeeper with its own certificate
 * (`<tls dir>/<service>/{ca,cert,key}.pem`, as `wharf host enrol` writes them), because the ACLs
 * name services (`OU=api`), not hosts; the runner itself uses `<tls dir>/runner/`. The runner
 * also reports every one of those certificates' expiry (`wharf_certificate_expiry_seconds`).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CertificateExpiry } from '@wharf/observability';
import { ZK_TLS_ENV } from '@wharf/zk';

/** The variables that give `service` its own certificate from `tlsDir`. */
export function serviceTlsEnv(tlsDir: string, service: string): Record<string, string> {
  const dir = join(tlsDir, service);
  return {
    [ZK_TLS_ENV.ca]: join(dir, 'ca.pem'),
    [ZK_TLS_ENV.cert]: join(dir, 'cert.pem'),
    [ZK_TLS_ENV.key]: join(dir, 'key.pem'),
  };
}

/**
 * The api's HTTPS server certificate in a host's TLS directory (`<tls dir>/api-https/`): a
 * `server` certificate naming the host's addresses, apart from the api's ZooKeeper client
 * certificate (`<tls dir>/api/`) so neither can stand in for the other.
 */
export const API_HTTPS_DIR = 'api-https';

/** The variables that make the api serve HTTPS with the certificate in `dir` (services/api `https.ts`). */
export function apiHttpsEnv(dir: string): Record<string, string> {
  return { WHARF_API_TLS_CERT: join(dir, 'cert.pem'), WHARF_API_TLS_KEY: join(dir, 'key.pem') };
}

/**
 * `<tlsDir>/api-https` when it holds a certificate (`wharf up --secure` issues one to each
 * coordinator host), else undefined: a host enrolled without one keeps its api on plain HTTP
 * rather than failing its start on a missing file.
 */
export function apiHttpsDirIn(tlsDir: string): string | undefined {
  const dir = join(tlsDir, API_HTTPS_DIR);
  return existsSync(join(dir, 'cert.pem')) ? dir : undefined;
}

/** The secure-mode fields of the runner's `LaunchContext` (none in plain mode). */
export function secureLaunchContext(tlsDir: string | undefined): { tlsDir?: string; apiTlsDir?: string } {
  if (tlsDir === undefined) return {};
  const apiTlsDir = apiHttpsDirIn(tlsDir);
  return apiTlsDir === undefined ? { tlsDir } : { tlsDir, apiTlsDir };
}

/**
 * The expiry of each service's certificate in `tlsDir`, read at every scrape (a rotation shows
 * at once). A missing or unreadable certificate is left out: the service's own start fails then.
 */
export function certificateExpiries(tlsDir: string, services: readonly string[]): CertificateExpiry[] {
  const out: CertificateExpiry[] = [];
  for (const service of services) {
    try {
      const cert = new X509Certificate(readFileSync(join(tlsDir, service, 'cert.pem')));
      const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1] ?? '';
      out.push({ service, cn, notAfter: new Date(cert.validTo) });
    } catch {
      // Not enrolled for this service (yet).
    }
  }
  return out;
}
