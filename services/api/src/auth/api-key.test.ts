import { fingerprint, generateApiKey, keyFromAuthorization, parseApiKey, verifySecret } from './api-key';

const NOW = new Date('2026-01-01T00:00:00Z');

describe('API keys', () => {
  it('generates wharf_<keyId>_<secret> with a record holding only an scrypt hash', async () => {
    const { key, record } = await generateApiKey('first', NOW);
    const parsed = parseApiKey(key);
    expect(parsed).toEqual({ keyId: record.id, secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(record).toMatchObject({
      schema_version: 1,
      name: 'first',
      created: NOW.toISOString(),
      roles: ['platform-admin'],
    });
    expect(JSON.stringify(record)).not.toContain(parsed!.secret);
    await expect(verifySecret(parsed!.secret, record)).resolves.toBe(true);
  });

  it('rejects a wrong secret, another salt and a tampered or unknown hash format', async () => {
    const { key, record } = await generateApiKey('k', NOW);
    const { secret } = parseApiKey(key)!;
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    await expect(verifySecret(wrong, record)).resolves.toBe(false);
    await expect(verifySecret(secret, { ...record, salt: '00'.repeat(16) })).resolves.toBe(false);
    await expect(
      verifySecret(secret, { ...record, hash: record.hash.replace(/^scrypt\$\d+/, 'scrypt$1073741824') }),
    ).resolves.toBe(false);
    await expect(verifySecret(secret, { ...record, hash: `bcrypt$${record.hash}` })).resolves.toBe(false);
  });

  it.each([
    ['', undefined],
    ['wharf_', undefined],
    ['wharf__abc', undefined],
    [`wharf_Upper_${'a'.repeat(43)}`, undefined],
    [`wharf_k1_${'a'.repeat(42)}`, undefined],
    [`other_k1_${'a'.repeat(43)}`, undefined],
    [`wharf_k1_${'a'.repeat(43)}`, { keyId: 'k1', secret: 'a'.repeat(43) }],
    [`wharf_k1_${'_'.repeat(43)}`, { keyId: 'k1', secret: '_'.repeat(43) }],
  ])('parses %j', (input, expected) => {
    expect(parseApiKey(input)).toEqual(expected);
  });

  it('reads the key from an ApiKey Authorization header only', () => {
    expect(keyFromAuthorization('ApiKey abc')).toBe('abc');
    expect(keyFromAuthorization('apikey   abc ')).toBe('abc');
    expect(keyFromAuthorization('Bearer abc')).toBeUndefined();
    expect(keyFromAuthorization('ApiKey a b')).toBeUndefined();
    expect(keyFromAuthorization(undefined)).toBeUndefined();
  });

  it('fingerprints a key with sha256', () => {
    expect(fingerprint('x')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });
});
