import { type ApiKeyRecord } from '@wharf/model';
import { nullLogger } from '@wharf/observability';
import { ApiKeyService } from './api-key-service';
import { MAX_API_KEYS } from './domain/api-keys';
import { type KeyStore, type RevocationPolicy, type StoredKey } from './store/types';

class MemoryKeys implements KeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  extra = 0;
  async get(keyId: string): Promise<StoredKey | undefined> {
    const record = this.records.get(keyId);
    return record && { record, revision: '1:0' };
  }
  cachedRevision(): string | undefined {
    return undefined;
  }
  async list(): Promise<ApiKeyRecord[]> {
    return [...this.records.values()];
  }
  async count(): Promise<number> {
    return this.records.size + this.extra;
  }
  async create(record: ApiKeyRecord): Promise<void> {
    this.records.set(record.id, record);
  }
  async revoke(keyId: string, policy: RevocationPolicy): Promise<boolean> {
    const target = this.records.get(keyId);
    if (target === undefined) return false;
    const refusal = await policy(
      target,
      [...this.records.values()].filter((r) => r.id !== keyId),
    );
    if (refusal) throw refusal;
    return this.records.delete(keyId);
  }
}

describe('ApiKeyService', () => {
  const NOW = Date.parse('2026-01-01T00:00:00.000Z');
  const setup = () => {
    const keys = new MemoryKeys();
    const revoked: string[] = [];
    const service = new ApiKeyService({
      keys,
      clock: { now: () => NOW },
      logger: nullLogger,
      onRevoked: (id) => revoked.push(id),
    });
    return { keys, revoked, service };
  };

  it('creates an expiring key and stores its expiry', async () => {
    const { keys, service } = setup();
    const res = await service.create({ description: 'ci', expires_in_seconds: 60 }, 'kboot');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ description: 'ci', expires: '2026-01-01T00:01:00.000Z' });
    const id = (res.body as { id: string }).id;
    expect(keys.records.get(id)).toMatchObject({ name: 'ci', expires: '2026-01-01T00:01:00.000Z' });
  });

  it('refuses a key beyond the cap with 409, writing nothing', async () => {
    const { keys, service } = setup();
    keys.extra = MAX_API_KEYS;
    await expect(service.create({ description: 'one too many' }, undefined)).rejects.toMatchObject({
      code: 'WHARF_CONFLICT',
      status: 409,
    });
    expect(keys.records.size).toBe(0);
  });

  it('revokes, tells the verifier, and answers 404 for an unknown key', async () => {
    const { service, revoked } = setup();
    const a = (await service.create({ description: 'a' }, undefined)).body as { id: string };
    await service.create({ description: 'b' }, undefined);
    await expect(service.revoke(a.id, undefined)).resolves.toMatchObject({ status: 200 });
    expect(revoked).toEqual([a.id]);
    await expect(service.revoke(a.id, undefined)).rejects.toMatchObject({ code: 'WHARF_NOT_FOUND' });
  });
});
