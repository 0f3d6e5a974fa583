import { ZK_TLS_ENV, zkTlsFromEnv, type ZkTlsFiles } from './zk-tls-env';

const FILES: Record<string, { text: string; mode: number }> = {
  '/tls/ca.pem': { text: 'CA PEM', mode: 0o644 },
  '/tls/cert.pem': { text: 'CERT PEM', mode: 0o644 },
  '/tls/key.pem': { text: 'KEY PEM', mode: 0o600 },
  '/tls/open-key.pem': { text: 'KEY PEM', mode: 0o644 },
};

const fakeFiles: ZkTlsFiles = {
  read: (path) => {
    const file = FILES[path];
    if (file === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return Buffer.from(file.text);
  },
  mode: (path) => FILES[path]?.mode ?? 0o600,
};

const ALL = {
  [ZK_TLS_ENV.ca]: '/tls/ca.pem',
  [ZK_TLS_ENV.cert]: '/tls/cert.pem',
  [ZK_TLS_ENV.key]: '/tls/key.pem',
};

describe('zkTlsFromEnv', () => {
  test('none set: plain mode', () => {
    expect(zkTlsFromEnv({ WHARF_ZK: 'h:1' }, fakeFiles)).toBeUndefined();
    expect(zkTlsFromEnv({ [ZK_TLS_ENV.ca]: '  ' }, fakeFiles)).toBeUndefined();
  });

  test('all three: the PEM files', () => {
    const tls = zkTlsFromEnv(ALL, fakeFiles)!;
    expect([tls.ca, tls.cert, tls.key].map(String)).toEqual(['CA PEM', 'CERT PEM', 'KEY PEM']);
  });

  test('some set: refused, naming a missing variable', () => {
    expect(() => zkTlsFromEnv({ [ZK_TLS_ENV.ca]: '/tls/ca.pem' }, fakeFiles)).toThrow(
      expect.objectContaining({
        code: 'WHARF_VALIDATION',
        details: expect.objectContaining({ field: 'WHARF_ZK_TLS_CERT' }),
      }),
    );
  });

  test('an unreadable file or a key others may read: refused, naming the variable, no contents', () => {
    let err: unknown;
    try {
      zkTlsFromEnv({ ...ALL, [ZK_TLS_ENV.cert]: '/tls/missing.pem' }, fakeFiles);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'WHARF_VALIDATION',
      details: { field: 'WHARF_ZK_TLS_CERT', reason: 'unreadable file' },
    });
    expect(() => zkTlsFromEnv({ ...ALL, [ZK_TLS_ENV.key]: '/tls/open-key.pem' }, fakeFiles)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ field: 'WHARF_ZK_TLS_KEY' }) }),
    );
    expect(JSON.stringify((err as { details: unknown }).details)).not.toContain('PEM');
  });
});
