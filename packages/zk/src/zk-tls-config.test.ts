import { compileZkTls } from './tls';
import { javaArgs, renderZooCfg } from './zk-config';
import {
  NETTY_CNXN_FACTORY,
  X509_AUTH_PROVIDER,
  renderKeyStorePem,
  renderQuorumTls,
  renderSecureClientPort,
  tlsJvmProperties,
} from './zk-tls-config';

describe('TLS server config', () => {
  test('a TLS-only server has a secure client port and no plaintext one', () => {
    const cfg = renderZooCfg({
      dataDir: '/d',
      host: '127.0.0.1',
      port: null,
      tickTimeMs: 200,
      maxSessionTimeoutMs: 4000,
      extra: renderSecureClientPort({
        host: '127.0.0.1',
        port: 2281,
        tlsDir: '/d/tls',
        clientAuth: 'need',
        x509Auth: true,
      }),
    });
    const lines = cfg.split('\n');
    expect(lines.filter((l) => l.startsWith('clientPort'))).toEqual([]);
    expect(lines).toEqual(
      expect.arrayContaining([
        'secureClientPortAddress=127.0.0.1',
        'secureClientPort=2281',
        `serverCnxnFactory=${NETTY_CNXN_FACTORY}`,
        'ssl.keyStore.location=/d/tls/keystore.pem',
        'ssl.keyStore.type=PEM',
        'ssl.trustStore.location=/d/tls/truststore.pem',
        'ssl.trustStore.type=PEM',
        'ssl.clientAuth=need',
        `authProvider.x509=${X509_AUTH_PROVIDER}`,
      ]),
    );
    const noX509 = renderSecureClientPort({
      host: 'h',
      port: 1,
      tlsDir: '/t',
      clientAuth: 'need',
      x509Auth: false,
    });
    expect(noX509['authProvider.x509']).toBeUndefined();
  });

  test('quorum TLS: sslQuorum with PEM stores, no plaintext fallback, hostname verification on', () => {
    expect(renderQuorumTls({ tlsDir: '/d/tls' })).toEqual({
      sslQuorum: 'true',
      portUnification: 'false',
      serverCnxnFactory: NETTY_CNXN_FACTORY,
      'ssl.quorum.keyStore.location': '/d/tls/keystore.pem',
      'ssl.quorum.keyStore.type': 'PEM',
      'ssl.quorum.trustStore.location': '/d/tls/truststore.pem',
      'ssl.quorum.trustStore.type': 'PEM',
      'ssl.quorum.hostnameVerification': 'true',
    });
    expect(
      renderQuorumTls({ tlsDir: '/t', hostnameVerification: false })['ssl.quorum.hostnameVerification'],
    ).toBe('false');
  });

  test('key store: key first, then the chain; super user as a JVM property', () => {
    expect(renderKeyStorePem('CERT\n', '\nKEY\n')).toBe('KEY\nCERT\n');
    expect(tlsJvmProperties(undefined)).toEqual([]);
    const args = javaArgs('/j', '/d/zoo.cfg', '/d/log4j', tlsJvmProperties('CN=h1,OU=director,O=Wharf'));
    expect(args).toContain('-Dzookeeper.X509AuthenticationProvider.superUser=CN=h1,OU=director,O=Wharf');
  });
});

describe('client TLS options', () => {
  test('absent means plaintext; non-PEM input is refused naming the field', () => {
    expect(compileZkTls(undefined)).toBeNull();
    expect(() =>
      compileZkTls({ ca: 'x', cert: '-----BEGIN CERTIFICATE-----', key: '-----BEGIN PRIVATE KEY-----' }),
    ).toThrow(
      expect.objectContaining({
        code: 'WHARF_VALIDATION',
        details: { option: 'tls.ca', reason: 'expected PEM text' },
      }),
    );
    expect(() =>
      compileZkTls({
        ca: '-----BEGIN CERTIFICATE-----',
        cert: Buffer.from('-----BEGIN CERTIFICATE-----'),
        key: '',
      }),
    ).toThrow(expect.objectContaining({ details: expect.objectContaining({ option: 'tls.key' }) }));
  });
});
