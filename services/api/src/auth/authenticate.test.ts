import { type ApiKeyRecord } from '@wharf/model';
import { type KeyLookup, type StoredKey } from '../store/types';
import { generateApiKey } from './api-key';
import { KeyVerifier, MAX_CACHED_KEYS } from './authenticate';

/** Authoritative records plus a separately controlled "watch-driven view" of their revisions. */
class FakeKeys implements KeyLookup {
  reads = 0;
  readonly records = new Map<string, StoredKey>();
  readonly view = new Map<string, string>();

  put(record: ApiKeyRecord, revision = '1:0'): void {
    this.records.set(record.id, { record, revision });
    this.view.set(record.id, revision);
  }
  async get(keyId: string): Promise<StoredKey | undefined> {
    this.reads++;
    return this.records.get(keyId);
  }
  cachedRevision(keyId: string): string | undefined {
    return this.view.get(keyId);
  }
}

describe('KeyVerifier', () => {
  let key: string;
  let record: ApiKeyRecord;
  let keys: FakeKeys;
  let now: number;
  const clock = { now: () => now };
  const check = (verifier: KeyVerifier, k = key) => verifier.check(`ApiKey ${k}`);

  beforeAll(async () => {
    ({ key, record } = await generateApiKey('k', new Date(0)));
  });

  beforeEach(() => {
    keys = new FakeKeys();
    keys.put(record);
    now = 1_000_000;
  });

  it('verifies once, then answers from the cache until the TTL passes', async () => {
    const verifier = new KeyVerifier(keys, clock, 60_000);
    await expect(check(verifier)).resolves.toMatchObject({ cached: false });
    await expect(check(verifier)).resolves.toMatchObject({ cached: true });
    expect(keys.reads).toBe(1);
    now += 60_001;
    await expect(check(verifier)).resolves.toMatchObject({ cached: false });
    expect(keys.reads).toBe(2);
  });

  it('refuses a deleted key on the next request once the watch-driven view drops it', async () => {
    const verifier = new KeyVerifier(keys, clock, 60_000);
    await check(verifier);
    keys.records.delete(record.id);
    keys.view.delete(record.id);
    await expect(check(verifier)).resolves.toEqual({ rejected: 'unknown_key' });
  });

  it('re-verifies when the record was rewritten (another revision)', async () => {
    const verifier = new KeyVerifier(keys, clock, 60_000);
    await check(verifier);
    keys.put(record, '1:1');
    await expect(check(verifier)).resolves.toMatchObject({ cached: false });
    expect(keys.reads).toBe(2);
  });

  it('without news from the view, a deleted key still works only until the TTL passes', async () => {
    const verifier = new KeyVerifier(keys, clock, 1_000);
    await check(verifier);
    keys.records.delete(record.id);
    await expect(check(verifier)).resolves.toMatchObject({ cached: true });
    now += 1_001;
    await expect(check(verifier)).resolves.toEqual({ rejected: 'unknown_key' });
  });

  it('forget() drops the cached verifications of a key at once', async () => {
    const verifier = new KeyVerifier(keys, clock, 60_000);
    await check(verifier);
    keys.records.delete(record.id);
    verifier.forget(record.id);
    await expect(check(verifier)).resolves.toEqual({ rejected: 'unknown_key' });
  });

  it('refuses an expired key, and stops trusting a cached one when it expires', async () => {
    const verifier = new KeyVerifier(keys, clock, 60_000);
    keys.put({ ...record, expires: new Date(now + 5_000).toISOString() });
    await expect(check(verifier)).resolves.toMatchObject({ cached: false });
    now += 4_999;
    await expect(check(verifier)).resolves.toMatchObject({ cached: true });
    now += 1;
    await expect(check(verifier)).resolves.toEqual({ rejected: 'expired' });
    await expect(check(verifier)).resolves.toEqual({ rejected: 'expired' });
  });

  it('reports a wrong secret before telling whether a key expired', async () => {
    const verifier = new KeyVerifier(keys, clock);
    keys.put({ ...record, expires: new Date(now - 1).toISOString() });
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expect(check(verifier, wrong)).resolves.toEqual({ rejected: 'wrong_secret' });
    await expect(check(verifier)).resolves.toEqual({ rejected: 'expired' });
  });

  it('runs one verification for concurrent checks of one key', async () => {
    const verifier = new KeyVerifier(keys, clock);
    const results = await Promise.all(Array.from({ length: 5 }, () => check(verifier)));
    expect(results.every((r) => 'principal' in r)).toBe(true);
    expect(keys.reads).toBe(1);
  });

  it('does not cache failures and names why a key was refused', async () => {
    const verifier = new KeyVerifier(keys, clock);
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expect(check(verifier, wrong)).resolves.toEqual({ rejected: 'wrong_secret' });
    await expect(check(verifier, wrong)).resolves.toEqual({ rejected: 'wrong_secret' });
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
