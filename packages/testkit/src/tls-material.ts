import {
  createRootCa,
  identitySubject,
  x509Id,
  type CertificateAuthority,
  type IssuedKeyPair,
  type ServiceIdentity,
} from '@wharf/pki';
import { type EmbeddedZooKeeperTls, type ZkTlsOptions } from '@wharf/zk';

/** Identity of the certificate a TLS test session uses unless a test asks for another. */
export const TEST_CLIENT_IDENTITY: ServiceIdentity = Object.freeze({ hostId: 'test-host', role: 'tester' });

/** Identity of a test ZooKeeper server's certificate. */
export const TEST_SERVER_IDENTITY: ServiceIdentity = Object.freeze({
  hostId: 'zookeeper-1',
  role: 'zookeeper',
});

/**
 * Certificates for a TLS test: the test installation's CA, an unrelated CA whose certificates
 * must be refused, the server's certificate (a `peer` one for `localhost` and 127.0.0.1, also
 * used by the launcher's readiness probe) and client TLS options on demand.
 */
export interface TestTls {
  readonly ca: CertificateAuthority;
  readonly otherCa: CertificateAuthority;
  readonly server: IssuedKeyPair;
  /** `ZkSessionOptions.tls` for `identity`, signed by {@link ca} (one key per identity, cached). */
  client(identity?: ServiceIdentity): Promise<ZkTlsOptions>;
  /** The same for a certificate signed by {@link otherCa}; it trusts the right CA. */
  foreignClient(identity?: ServiceIdentity): Promise<ZkTlsOptions>;
  /** ZooKeeper's x509 id of `identity` (`CN=<hostId>,OU=<role>,O=Wharf`), for ACLs. */
  x509Id(identity?: ServiceIdentity): string;
  /** `EmbeddedZooKeeperOptions.tls` for the server. */
  serverOptions(extra?: Partial<EmbeddedZooKeeperTls>): EmbeddedZooKeeperTls;
}

/** Creates two CAs and a server certificate (about a second: two RSA-3072 keys). */
export async function createTestTls(): Promise<TestTls> {
  const [ca, otherCa] = await Promise.all([createRootCa(), createRootCa({ commonName: 'Other CA' })]);
  const server = await ca.issue({
    profile: 'peer',
    subject: TEST_SERVER_IDENTITY,
    sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
  });
  const cache = new Map<string, Promise<ZkTlsOptions>>();
  const issue = (issuer: CertificateAuthority, identity: ServiceIdentity): Promise<ZkTlsOptions> => {
    const key = `${issuer === ca ? 'ca' : 'other'}:${identity.hostId}/${identity.role}`;
    let options = cache.get(key);
    if (options === undefined) {
      options = issuer
        .issue({ profile: 'client', subject: identity })
        .then((issued) => ({ ca: ca.certPem, cert: issued.certPem, key: issued.keyPem }));
      cache.set(key, options);
    }
    return options;
  };
  return {
    ca,
    otherCa,
    server,
    client: (identity = TEST_CLIENT_IDENTITY) => issue(ca, identity),
    foreignClient: (identity = TEST_CLIENT_IDENTITY) => issue(otherCa, identity),
    x509Id: (identity = TEST_CLIENT_IDENTITY) => x509Id(identitySubject(identity)),
    serverOptions: (extra = {}) => ({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, ...extra }),
  };
}
