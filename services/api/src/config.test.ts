import { DEFAULT_API_PORT, configFromEnv, helpText } from './config';

const ctx = { hostname: 'Host_1.example', pid: 42 };

describe('api configuration', () => {
  it('fills the documented defaults', () => {
    expect(configFromEnv({}, ctx)).toEqual({
      zkConnect: '127.0.0.1:2181',
      zkChroot: '/wharf',
      home: './.wharf',
      logLevel: 'info',
      id: 'api-host-1-example-42',
      host: '127.0.0.1',
      port: DEFAULT_API_PORT,
      domain: 'localhost',
      publicProxyUrl: 'http://{id}.localhost:9200',
      requestIdTtlSeconds: 86_400,
      rateLimit: { perSecond: 50, burst: 100 },
      certificateFiles: [],
      tlsCertFile: '',
      tlsKeyFile: '',
      snapshotIntervalMs: 0,
    });
    // The served certificate's expiry is reported with the listed files.
    expect(
      configFromEnv({ WHARF_API_TLS_CERT: '/etc/api.pem', WHARF_API_TLS_KEY: '/etc/api-key.pem' }, ctx)
        .certificateFiles,
    ).toEqual(['/etc/api.pem']);
    expect(configFromEnv({ WHARF_CERTIFICATE_FILES: '/etc/a.pem,/etc/b.pem' }, ctx).certificateFiles).toEqual(
      ['/etc/a.pem', '/etc/b.pem'],
    );
    expect(configFromEnv({ WHARF_API_RATE_LIMIT: '5:7' }, ctx).rateLimit).toEqual({ perSecond: 5, burst: 7 });
    expect(configFromEnv({ WHARF_API_RATE_LIMIT: 'off' }, ctx).rateLimit).toBeNull();
    expect(configFromEnv({ WHARF_REQUEST_ID_TTL_SECONDS: '3600' }, ctx).requestIdTtlSeconds).toBe(3600);
  });

  it.each([
    ['WHARF_API_PORT', '70000'],
    ['WHARF_API_PORT', 'http'],
    ['WHARF_LOG_LEVEL', 'loud'],
    ['WHARF_ID', 'Not_An_Id'],
    ['WHARF_ZK_CHROOT', 'wharf'],
    ['WHARF_CERTIFICATE_FILES', 'relative.pem'],
    ['WHARF_ZK_CHROOT', '/a/../b'],
    ['WHARF_PUBLIC_PROXY_URL', 'http://proxy:9200'],
    ['WHARF_REQUEST_ID_TTL_SECONDS', '59'],
    ['WHARF_REQUEST_ID_TTL_SECONDS', '2592001'],
    ['WHARF_REQUEST_ID_TTL_SECONDS', '1h'],
    ['WHARF_API_RATE_LIMIT', '50'],
    ['WHARF_API_RATE_LIMIT', '0:10'],
    ['WHARF_API_RATE_LIMIT', '5:-1'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => configFromEnv({ [name]: value }, ctx)).toThrow(name);
  });

  it('derives a DNS-label id that keeps the pid', () => {
    const { id } = configFromEnv({}, { hostname: 'h'.repeat(80), pid: 123456 });
    expect(id).toMatch(/^api-h+-123456$/);
    expect(id).toHaveLength(63);
  });

  it('documents every variable in --help', () => {
    expect(helpText('1.2.3')).toMatch(
      /wharf-api 1\.2\.3[\s\S]*WHARF_ZK_CHROOT[\s\S]*WHARF_PUBLIC_PROXY_URL[\s\S]*WHARF_REQUEST_ID_TTL_SECONDS[\s\S]*WHARF_API_RATE_LIMIT/,
    );
  });
});
