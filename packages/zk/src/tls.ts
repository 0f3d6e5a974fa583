import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { WharfError } from '@wharf/model';

/**
 * Mutual TLS to ZooKeeper's `secureClientPort`. PEM in, nothing else: this package never parses
 * certificates itself (that is `@wharf/pki`'s job), it hands them to Node's TLS.
 */
export interface ZkTlsOptions {
  /** CA certificate(s) the server's certificate must chain to (PEM). */
  ca: string | Buffer;
  /** This client's certificate (PEM, leaf first; it names the client for ZooKeeper's x509 ACLs). */
  cert: string | Buffer;
  /** The certificate's private key (unencrypted PEM). */
  key: string | Buffer;
  /**
   * Name the server certificate must carry, when it differs from the host in the connect string
   * (e.g. dialling an IP of a server whose certificate names only its DNS name).
   */
  servername?: string;
  /**
   * Certificate rotation: called before every new connection; PEM that differs from the current
   * becomes the context of that and later connections (an established connection keeps its
   * certificate). A pair that does not match (a rotation caught between its key and certificate
   * writes) or undefined keeps the current context. `zkTlsFromEnv` re-reads the files here.
   */
  reload?: () => Pick<ZkTlsOptions, 'ca' | 'cert' | 'key'> | undefined;
}

/** {@link ZkTlsOptions} checked once and turned into a reusable OpenSSL context. */
export interface CompiledZkTls {
  /** The context for the next connection (re-read through `reload` when given). */
  readonly secureContext: SecureContext;
  readonly servername: string | undefined;
}

/**
 * Validates the PEM inputs by building the TLS context once (mismatched key and certificate,
 * unreadable PEM and encrypted keys fail here, at the boundary, not on every reconnect).
 * Throws WHARF_VALIDATION naming `tls.<field>`; the message never includes key material.
 */
export function compileZkTls(tls: ZkTlsOptions | undefined): CompiledZkTls | null {
  if (tls === undefined) return null;
  for (const field of ['ca', 'cert', 'key'] as const) {
    const value = tls[field];
    const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : '';
    if (!text.includes('-----BEGIN ')) throw tlsOptionError(field, 'expected PEM text');
  }
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
  } catch (err) {
    // OpenSSL's reason ("key values mismatch", "bad decrypt") names the problem, never the key.
    throw tlsOptionError('cert', err instanceof Error ? err.message : 'unusable', err);
  }
  const reload = tls.reload;
  if (reload === undefined) return Object.freeze({ secureContext, servername: tls.servername });
  let last = pemKey(tls);
  return Object.freeze({
    servername: tls.servername,
    get secureContext(): SecureContext {
      try {
        const fresh = reload();
        if (fresh !== undefined && pemKey(fresh) !== last) {
          secureContext = createSecureContext({ ca: fresh.ca, cert: fresh.cert, key: fresh.key });
          last = pemKey(fresh);
        }
      } catch {
        // Mid-rotation or unreadable: keep connecting with the last good certificate.
      }
      return secureContext;
    },
  });
}

function pemKey(pem: Pick<ZkTlsOptions, 'ca' | 'cert' | 'key'>): string {
  return [pem.ca, pem.cert, pem.key]
    .map((v) => (typeof v === 'string' ? v : v.toString('latin1')))
    .join('\0');
}

/**
 * Opens a TLS connection to one ZooKeeper server, verifying its certificate against the CA and
 * its name (`servername`, else the host: an IP is matched against IP SANs; no SNI is sent for IPs).
 */
export function connectTls(host: string, port: number, tls: CompiledZkTls): TLSSocket {
  const servername = tls.servername ?? (isIP(host) === 0 ? host : undefined);
  return tlsConnect({
    host,
    port,
    secureContext: tls.secureContext,
    ...(servername === undefined ? {} : { servername }),
    // ZooKeeper 3.8 negotiates TLS 1.2 by default; allow 1.3 for servers configured for it.
    minVersion: 'TLSv1.2',
  });
}

/**
 * The Wharf identity a client certificate names (`CN=<hostId>`, `OU=<role>`), for the ACLs the
 * session creates nodes with. Throws WHARF_VALIDATION (`tls.cert`) when the subject has neither.
 */
export function certificateIdentity(cert: string | Buffer): { hostId: string; role: string } {
  let subject: string;
  try {
    subject = new X509Certificate(cert).subject;
  } catch (err) {
    throw tlsOptionError('cert', 'unreadable certificate', err);
  }
  // Node prints one `TYPE=value` per line; Wharf ids contain no newline, comma or `=`.
  const fields = new Map(
    subject.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const hostId = fields.get('CN');
  const role = fields.get('OU');
  if (hostId === undefined || role === undefined) {
    throw tlsOptionError(
      'cert',
      'subject names no Wharf identity (CN=<host>, OU=<role>); pass acl: null for open ACLs',
    );
  }
  return { hostId, role };
}

function tlsOptionError(field: string, reason: string, cause?: unknown): WharfError {
  return new WharfError('WHARF_VALIDATION', 'invalid zookeeper option', {
    details: { option: `tls.${field}`, reason },
    cause,
  });
}
