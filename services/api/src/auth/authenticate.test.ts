import { type ApiKeyRecord } from '@wharf/model';
import { type KeyStore } from '../store/types';
import { generateApiKey } from './api-key';
import { KeyVerifier, MAX_CACHED_KEYS } from './authenticate';

class CountingKeys implements KeyStore {
  reads = 0;
  constructor(readonly records: Map<string, ApiKeyRecord>) {}
  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    this.reads++;
    return this.records.get(keyId);
  }
}

describe('KeyVerifier', () => {
  let key: string;
  let keys: CountingKeys;
  let now: number;
  const clock = { now: () => now };

  beforeAll(async () => {
    const generated = await generateApiKey('k', new Date(0));
    key = generated.key;
    keys = new CountingKeys(new Map([[generated.record.id, generated.record]]));
  });

  beforeEach(() => {
    keys.reads = 0;
    now = 1_000_000;
  });

  it('verifies once, then answers from the cache until the TTL passes', async () => {
    const verifier = new KeyVerifier(keys, clock, 60_000);
    await expect(verifier.check(`ApiKey ${key}`)).resolves.toMatchObject({ cached: false });
    await expect(verifier.check(`ApiKey ${key}`)).resolves.toMatchObject({ cached: true });
    expect(keys.reads).toBe(1);
    now += 60_001;
    await expect(verifier.check(`ApiKey ${key}`)).resolves.toMatchObject({ cached: false });
    expect(keys.reads).toBe(2);
  });

  it('stops accepting a deleted key once its cache entry expires', async () => {
    const record = [...keys.records.values()][0]!;
    const verifier = new KeyVerifier(keys, clock, 1_000);
    await verifier.check(`ApiKey ${key}`);
    keys.records.delete(record.id);
    await expect(verifier.check(`ApiKey ${key}`)).resolves.toMatchObject({ cached: true });
    now += 1_001;
    await expect(verifier.check(`ApiKey ${key}`)).resolves.toEqual({ rejected: 'unknown_key' });
    keys.records.set(record.id, record);
  });

  it('runs one verification for concurrent checks of one key', async () => {
    const verifier = new KeyVerifier(keys, clock);
    const results = await Promise.all(Array.from({ length: 5 }, () => verifier.check(`ApiKey ${key}`)));
    expect(results.every((r) => 'principal' in r)).toBe(true);
    expect(keys.reads).toBe(1);
  });

  it('does not cache failures and names why a key was refused', async () => {
    const verifier = new KeyVerifier(keys, clock);
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expect(verifier.check(`ApiKey ${wrong}`)).resolves.toEqual({ rejected: 'wrong_secret' });
    await expect(verifier.check(`ApiKey ${wrong}`)).resolves.toEqual({ rejected: 'wrong_secret' });
    expect(keys.reads).toBe(2);
    await expect(verifier.check(undefined)).resolves.toEqual({ rejected: 'missing' });
    await expect(verifier.check('Basic abc')).resolves.toEqual({ rejected: 'malformed' });
    await expect(verifier.check('ApiKey wharf_nope')).resolves.toEqual({ rejected: 'malformed' });
    await expect(verifier.check(`ApiKey wharf_kmissing_${'a'.repeat(43)}`)).resolves.toEqual({
      rejected: 'unknown_key',
    });
  });

  it('bounds the cache', () => {
    expect(MAX_CACHED_KEYS).toBeGreaterThan(0);
  });
});
