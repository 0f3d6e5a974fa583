/**
 * API key management against a real ZooKeeper: a created key is shown once and stored hashed,
 * lists never show hashes or secrets, a deleted key is refused on its next request (also by
 * another api that had it cached), an expired key is refused, the last key that never expires
 * cannot be deleted (also under concurrent deletes), and rejected requests write nothing.
 */
import { parseDocument, paths, type ApiKeyRecord, type WharfError } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { parseApiKey, verifySecret } from '../src';
import { revocationBlocker } from '../src/domain/api-keys';
import { ZkKeyStore } from '../src/store/zk-keys';
import { useApiHarness, startHarness, type ApiResponse, type Harness } from './helpers/harness';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const KEYS = '/api/v1/platform/configuration/security/api-keys';

/** A GET authenticated with `key` instead of the harness's bootstrap key. */
const getWith = (h: Harness, key: string): Promise<ApiResponse> =>
  h.call('GET', '/api/v1/deployments', undefined, { headers: { authorization: `ApiKey ${key}` } });

async function createKey(h: Harness, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await h.call('POST', KEYS, body);
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string };
}

describe('API key management', () => {
  const { server, h } = useApiHarness('/api-keys');
  let bootstrapId: string;

  beforeAll(async () => {
    bootstrapId = parseApiKey(h.key)!.keyId;
  }, 60_000);

  it('creates a key shown once, stored as a salted scrypt hash, that authenticates', async () => {
    const res = await h.call('POST', KEYS, { description: 'ci pipeline' });
    expect(res.status).toBe(201);
    const { id, key } = res.body as { id: string; key: string };
    expect(res.body).toEqual({
      id,
      key,
      description: 'ci pipeline',
      created: expect.any(String),
      roles: ['platform-admin'],
    });
    const { keyId, secret } = parseApiKey(key)!;
    expect(keyId).toBe(id);
    const raw = (await h.zk.get(paths.apiKey(id))).data.toString('utf8');
    expect(raw).not.toContain(secret);
    const stored = parseDocument('api-key', raw);
    expect(stored).toMatchObject({ id, name: 'ci pipeline', roles: ['platform-admin'] });
    expect(stored.expires).toBeUndefined();
    await expect(verifySecret(secret, stored)).resolves.toBe(true);
    expect((await getWith(h, key)).status).toBe(200);
  });

  it('lists keys oldest first without hashes, salts or secrets', async () => {
    const { id } = await createKey(h, { description: 'expiring', expires_in_seconds: 3600 });
    const res = await h.call('GET', KEYS);
    expect(res.status).toBe(200);
    const keys = res.body.keys as Array<Record<string, unknown>>;
    expect(keys[0]).toEqual({
      id: bootstrapId,
      description: 'bootstrap',
      created: expect.any(String),
      expired: false,
      roles: ['platform-admin'],
    });
    const listed = keys.find((k) => k.id === id)!;
    expect(Date.parse(listed.expires as string) - Date.parse(listed.created as string)).toBe(3_600_000);
    expect(res.text).not.toMatch(/hash|salt|scrypt|wharf_/);
  });

  it('refuses a deleted key on its next request, here and on another api that cached it', async () => {
    const other = await startHarness(server.connectString, '/api-keys', h.key);
    try {
      const { id, key } = await createKey(h, { description: 'to revoke' });
      expect((await getWith(h, key)).status).toBe(200);
      expect((await getWith(other, key)).status).toBe(200);
      const cached = await getWith(other, key);
      expect(cached.status).toBe(200);

      const res = await h.call('DELETE', `${KEYS}/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id, revoked: true });
      expect(await h.zk.exists(paths.apiKey(id))).toBeNull();
      const refused = await getWith(h, key);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject({
        code: 'WHARF_UNAUTHORIZED',
        details: [{ path: 'authorization' }],
      });
      // The other api trusts its cache for 60 s unless its watch says otherwise: well under 5 s here.
      const started = Date.now();
      await waitFor(async () => (await getWith(other, key)).status === 401, { timeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await h.call('DELETE', `${KEYS}/${id}`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('refuses an expired key with 401', async () => {
    // 3 s, not 1: the first call must land before expiry even on a loaded CI box.
    const { key } = await createKey(h, { description: 'short-lived', expires_in_seconds: 3 });
    expect((await getWith(h, key)).status).toBe(200);
    const refused = await waitFor(
      async () => {
        const res = await getWith(h, key);
        return res.status === 401 ? res : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(refused.body.error).toMatchObject({ code: 'WHARF_UNAUTHORIZED', message: 'API key expired' });
    const listed = (await h.call('GET', KEYS)).body.keys.find(
      (k: { description: string }) => k.description === 'short-lived',
    );
    expect(listed.expired).toBe(true);
  });

  it('rejects bad input with 4xx naming the field and writes nothing', async () => {
    const before = await dumpTree(h.zk);
    const cases: Array<[string, string, unknown, number, string[]]> = [
      ['POST', KEYS, {}, 400, ['description']],
      ['POST', KEYS, { description: '' }, 400, ['description']],
      ['POST', KEYS, { description: 'x', expires_in_seconds: -5 }, 400, ['expires_in_seconds']],
      [
        'POST',
        KEYS,
        { description: 'x', expires_in_seconds: 'soon', roles: ['x'] },
        400,
        ['expires_in_seconds', 'roles[0]'],
      ],
      ['POST', KEYS, [1], 400, ['body']],
      ['POST', `${KEYS}?force=true`, { description: 'x' }, 400, ['force']],
      ['DELETE', `${KEYS}/Not_An_Id`, undefined, 400, ['id']],
      ['DELETE', `${KEYS}/knosuchkey`, undefined, 404, ['id']],
    ];
    for (const [method, path, body, status, fields] of cases) {
      const res = await h.call(method, path, body);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(typeof res.body.error.code).toBe('string');
      expect(typeof res.body.error.message).toBe('string');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(fields);
    }
    const text = await h.call('POST', KEYS, undefined, {
      raw: 'description=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect((await h.call('POST', KEYS, { description: 'x' }, { noAuth: true })).status).toBe(401);
    expect((await h.call('GET', KEYS, undefined, { noAuth: true })).status).toBe(401);
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('never logs a created key or its secret', async () => {
    const { key } = await createKey(h, { description: 'logged?' });
    await getWith(h, key);
    const logged = JSON.stringify(h.logger.entries);
    expect(logged).toContain('api key created');
    expect(logged).not.toContain(parseApiKey(key)!.secret);
  });
});

describe('the last key that never expires', () => {
  const server = useZooKeeper();

  it('cannot be deleted (409, nothing written); it can once another permanent key exists', async () => {
    const h = await startHarness(server.connectString, '/api-last-key');
    try {
      const bootstrapId = parseApiKey(h.key)!.keyId;
      let before = await dumpTree(h.zk);
      const last = await h.call('DELETE', `${KEYS}/${bootstrapId}`);
      expect(last.status).toBe(409);
      expect(last.body.error).toMatchObject({ code: 'WHARF_CONFLICT', details: [{ path: 'id' }] });
      expect(await dumpTree(h.zk)).toEqual(before);

      await createKey(h, { description: 'expiring', expires_in_seconds: 600 });
      before = await dumpTree(h.zk);
      const lastPermanent = await h.call('DELETE', `${KEYS}/${bootstrapId}`);
      expect(lastPermanent.status).toBe(409);
      expect(lastPermanent.body.error.message).toContain('never expires');
      expect(await dumpTree(h.zk)).toEqual(before);

      const successor = await createKey(h, { description: 'successor' });
      expect((await h.call('DELETE', `${KEYS}/${bootstrapId}`)).status).toBe(200);
      expect((await getWith(h, h.key)).status).toBe(401);
      expect((await getWith(h, successor.key)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('survives concurrent deletes from two apis: exactly one of two permanent keys goes', async () => {
    const a = await startHarness(server.connectString, '/api-last-key-race');
    const b = await startHarness(server.connectString, '/api-last-key-race', a.key);
    try {
      const firstId = parseApiKey(a.key)!.keyId;
      const second = await createKey(a, { description: 'second' });
      const results = await Promise.all([
        a.call('DELETE', `${KEYS}/${firstId}`),
        b.call('DELETE', `${KEYS}/${second.id}`),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await a.zk.children(paths.apiKeys())).toHaveLength(1);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('ZkKeyStore.revoke', () => {
  const server = useZooKeeper();

  it('serialises revocations: two deletes that each saw another permanent key cannot both commit', async () => {
    const h = await startHarness(server.connectString, '/api-revoke-race');
    const stores = [0, 1].map(() => new ZkKeyStore(h.zk, createTestLogger()));
    try {
      await Promise.all(stores.map((s) => s.start()));
      const firstId = parseApiKey(h.key)!.keyId;
      const second = await createKey(h, { description: 'second' });
      // Both revocations read the keys, then wait for each other before writing: a real race.
      let waiting = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      const policyFor =
        (keyId: string) => async (target: ApiKeyRecord | undefined, others: readonly ApiKeyRecord[]) => {
          if (++waiting === 2) release();
          await bothRead;
          return revocationBlocker(keyId, target, others);
        };
      const outcomes = await Promise.allSettled([
        stores[0]!.revoke(firstId, policyFor(firstId)),
        stores[1]!.revoke(second.id, policyFor(second.id)),
      ]);
      const statuses = outcomes.map((o) =>
        o.status === 'fulfilled' ? 'revoked' : (o.reason as WharfError).code,
      );
      expect(statuses.sort()).toEqual(['WHARF_CONFLICT', 'revoked']);
      expect(await h.zk.children(paths.apiKeys())).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await h.close();
    }
  });
});
