/**
 * Secure mode: each service the runner starts connects to ZooKeeper with its own certificate
 * (`<tls dir>/<service>/{ca,cert,key}.pem`, as `wharf host enrol` writes them), because the ACLs
 * name services (`OU=api`), not hosts; the runner itself uses `<tls dir>/runner/`. The runner
 * also reports every one of those certificates' expiry (`wharf_certificate_expiry_seconds`).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
