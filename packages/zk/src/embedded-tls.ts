import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileZkTls, type CompiledZkTls } from './tls';
import { WHARF_X509_AUTH_PROVIDER } from './x509-provider';
import {
  KEYSTORE_FILE,
  TRUSTSTORE_FILE,
  renderKeyStorePem,
  renderSecureClientPort,
  type ClientAuthMode,
} from './zk-tls-config';

/** Directory under the server's data dir holding its key and trust stores. */
export const TLS_DIR = 'tls';

/**
 * TLS of an {@link EmbeddedZooKeeper}: the server listens on `port` as its `secureClientPort`
 * only (no plaintext port unless `plainPort`), with mutual TLS.
 */
export interface EmbeddedZooKeeperTls {
  /** The server's certificate (PEM, leaf first); its SANs must name the host clients dial. */
  readonly cert: string | Buffer;
  /** Its private key: PKCS#8 PEM (`PRIVATE KEY`), as @wharf/pki writes it. */
  readonly key: string | Buffer;
  /** CA certificate(s) client certificates must chain to. */
  readonly ca: string | Buffer;
  /**
   * Client identity the launcher uses for its own readiness probes (`ruok`/`srvr` over TLS).
   * Default: the server's certificate, which then needs the `clientAuth` usage (a `peer` one).
   */
  readonly probe?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Default `need`: a client without a certificate from the CA cannot connect. */
  readonly clientAuth?: ClientAuthMode;
  /**
   * Authenticate clients by certificate for ACLs (scheme `x509`), with Wharf's provider: an ACL id
   * names one certificate (`CN=h,OU=proxy,O=Wharf`) or every one under it (`OU=proxy,O=Wharf`).
   * Default true; needs `javac` once (x509-provider.ts).
   */
  readonly x509Auth?: boolean;
  /**
   * x509 id (`CN=…,OU=…,O=…`) that bypasses every ACL: a director's. With Wharf's provider
   * (`x509Auth`) it may be role-wide (`OU=director,O=Wharf`: every director of an ensemble).
   */
  readonly superUser?: string;
  /**
   * Also serve plaintext on this port (same host): `npm start` on one machine may keep a loopback
   * plaintext port for speed, and says so. Default: none.
   */
  readonly plainPort?: number;
}

/** The probe client's TLS settings. Throws WHARF_VALIDATION on unusable PEM (at construction). */
export function probeTls(tls: EmbeddedZooKeeperTls): CompiledZkTls {
  const probe = tls.probe ?? { cert: tls.cert, key: tls.key };
  return compileZkTls({ ca: tls.ca, cert: probe.cert, key: probe.key })!;
}

/** zoo.cfg lines of the secure client port, for stores under `dataDir`. */
export function secureClientPortLines(
  dataDir: string,
  host: string,
  port: number,
  tls: EmbeddedZooKeeperTls,
): Record<string, string | number> {
  return renderSecureClientPort({
    host,
    port,
    tlsDir: join(dataDir, TLS_DIR),
    clientAuth: tls.clientAuth ?? 'need',
    x509Auth: usesX509Auth(tls),
    x509Provider: WHARF_X509_AUTH_PROVIDER,
  });
}

/** Whether the server authenticates clients by certificate (default yes). */
export function usesX509Auth(tls: EmbeddedZooKeeperTls | undefined): boolean {
  return tls !== undefined && (tls.x509Auth ?? true);
}

/** Writes the key store (0600: it holds the private key) and trust store under `<dataDir>/tls` (0700). */
export async function writeTlsStores(dataDir: string, tls: EmbeddedZooKeeperTls): Promise<void> {
  const dir = join(dataDir, TLS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const keyStore = join(dir, KEYSTORE_FILE);
  await writeFile(keyStore, renderKeyStorePem(text(tls.cert), text(tls.key)), { mode: 0o600 });
  await chmod(keyStore, 0o600); // writeFile's mode applies only when it creates the file
  await writeFile(join(dir, TRUSTSTORE_FILE), `${text(tls.ca).trim()}\n`, { mode: 0o644 });
}

function text(pem: string | Buffer): string {
  return typeof pem === 'string' ? pem : pem.toString('utf8');
}
