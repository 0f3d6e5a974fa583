import { join } from 'node:path';

/*
 * zoo.cfg for TLS (ZooKeeper 3.8, Debian's jars): the secure client port needs the Netty server
 * (the default NIO one has no TLS) and reads PEM key and trust stores directly. `ssl.*` keys that
 * zoo.cfg does not know become `zookeeper.ssl.*` system properties (QuorumPeerConfig), which is
 * also where X509AuthenticationProvider reads its trust store from.
 */

/** The connection factory that implements `secureClientPort`. */
export const NETTY_CNXN_FACTORY = 'org.apache.zookeeper.server.NettyServerCnxnFactory';

/** ZooKeeper's x509 auth provider: a client's id is its certificate subject (RFC 2253). */
export const X509_AUTH_PROVIDER = 'org.apache.zookeeper.server.auth.X509AuthenticationProvider';

/** JVM property naming the x509 id that is ZooKeeper's super user (bypasses every ACL). */
export const X509_SUPERUSER_PROPERTY = 'zookeeper.X509AuthenticationProvider.superUser';

/** Key store file (private key + certificate chain, PEM) under the server's TLS directory. */
export const KEYSTORE_FILE = 'keystore.pem';

/** Trust store file (CA certificates, PEM) under the server's TLS directory. */
export const TRUSTSTORE_FILE = 'truststore.pem';

/**
 * How the server treats client certificates: `need` refuses a client without one from the CA
 * (production), `want` asks but lets others in (never used by Wharf, listed for completeness).
 */
export type ClientAuthMode = 'need' | 'want' | 'none';

/** Secure client port settings. */
export interface SecureClientPortConfig {
  readonly host: string;
  readonly port: number;
  /** Directory holding {@link KEYSTORE_FILE} and {@link TRUSTSTORE_FILE}. */
  readonly tlsDir: string;
  readonly clientAuth: ClientAuthMode;
  /** Register the x509 auth provider, so ACLs can name certificate subjects. */
  readonly x509Auth: boolean;
  /**
   * Class registered as the x509 provider (default the stock one, exact ids only; the embedded
   * server uses `WHARF_X509_AUTH_PROVIDER`, which also matches role-wide ids, see x509-provider.ts).
   */
  readonly x509Provider?: string;
}

/** Quorum (server-to-server) TLS settings of an ensemble member. */
export interface QuorumTlsConfig {
  /** Directory holding this member's key store and the CA trust store. */
  readonly tlsDir: string;
  /**
   * Check that a peer's certificate names the address it was dialled at (its SANs must list the
   * member's host). Default true: a certificate of one member cannot impersonate another host.
   */
  readonly hostnameVerification?: boolean;
}

/** zoo.cfg lines of a TLS client port (merge into the server's config). Pure. */
export function renderSecureClientPort(cfg: SecureClientPortConfig): Record<string, string | number> {
  return {
    secureClientPortAddress: cfg.host,
    secureClientPort: cfg.port,
    serverCnxnFactory: NETTY_CNXN_FACTORY,
    'ssl.keyStore.location': join(cfg.tlsDir, KEYSTORE_FILE),
    'ssl.keyStore.type': 'PEM',
    'ssl.trustStore.location': join(cfg.tlsDir, TRUSTSTORE_FILE),
    'ssl.trustStore.type': 'PEM',
    'ssl.clientAuth': cfg.clientAuth,
    ...(cfg.x509Auth ? { 'authProvider.x509': cfg.x509Provider ?? X509_AUTH_PROVIDER } : {}),
  };
}

/**
 * zoo.cfg lines for TLS between ensemble members (`sslQuorum`): leader election and replication
 * over mutual TLS with each member's `peer` certificate. `portUnification=false`: a member never
 * accepts plaintext quorum traffic, so one misconfigured member cannot downgrade the others.
 */
export function renderQuorumTls(cfg: QuorumTlsConfig): Record<string, string | number> {
  return {
    sslQuorum: 'true',
    portUnification: 'false',
    serverCnxnFactory: NETTY_CNXN_FACTORY,
    'ssl.quorum.keyStore.location': join(cfg.tlsDir, KEYSTORE_FILE),
    'ssl.quorum.keyStore.type': 'PEM',
    'ssl.quorum.trustStore.location': join(cfg.tlsDir, TRUSTSTORE_FILE),
    'ssl.quorum.trustStore.type': 'PEM',
    'ssl.quorum.hostnameVerification': String(cfg.hostnameVerification ?? true),
  };
}

/**
 * A PEM key store as ZooKeeper reads it: the private key (PKCS#8 `PRIVATE KEY`; its PemReader
 * rejects PKCS#1 `RSA PRIVATE KEY`) followed by the certificate chain, leaf first.
 */
export function renderKeyStorePem(certPem: string, keyPem: string): string {
  return `${keyPem.trim()}\n${certPem.trim()}\n`;
}

/** JVM `-D` flags for the TLS setup (the x509 super user, when one is named). */
export function tlsJvmProperties(superUser: string | undefined): string[] {
  return superUser === undefined ? [] : [`-D${X509_SUPERUSER_PROPERTY}=${superUser}`];
}
