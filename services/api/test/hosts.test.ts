/**
 * Hosts and roles tokens through the api, against a real ZooKeeper: tokens are shown once and
 * stored hashed, the host list shows registrations with what their runners run, role changes are
 * read-modify-writes, and every rejection has the standard error shape and writes nothing.
 */
import { checkRolesToken, parseDocument, paths, serializeDocument, type ApiKeyRecord } from '@wharf/model';
import { verifySecret } from '../src';
import { useApiHarness } from './helpers/harness';
import { hostRegistration } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const TOKENS = '/api/v1/platform/configuration/security/roles-tokens';

describe('hosts and roles tokens', () => {
  const { h } = useApiHarness('/api-hosts');

  beforeAll(async () => {
    await h.zk.mkdirp(paths.hosts());
    await h.zk.create(
      paths.host('h1'),
      serializeDocument('host-registration', hostRegistration('h1', '10.0.0.1', ['proxy'])),
    );
    await h.zk.create(
      paths.hostLive('h1'),
      serializeDocument('host-live', {
        schema_version: 1,
        pid: 4242,
        updated: '2026-01-01T00:00:01.000Z',
        services: [
          { service: 'proxy', id: 'proxy-h1', state: 'running', pid: 4243, port: 9200, restarts: 0 },
        ],
      }),
      'ephemeral',
    );
  });

  test('a roles token is returned once and stored as a salted scrypt hash', async () => {
    const res = await h.call('POST', TOKENS, { roles: ['allocator', 'proxy'], ttl_seconds: 600 });
    expect(res.status).toBe(201);
    const { id, token } = res.body as { id: string; token: string };
    expect(token).toMatch(new RegExp(`^wharf_${id}_[A-Za-z0-9_-]{43}$`));
    const stored = parseDocument('roles-token', (await h.zk.get(paths.rolesToken(id))).data);
    expect(stored).toMatchObject({ id, roles: ['allocator', 'proxy'], persistent: false });
    // The secret is base64url and may itself contain '_': cut it by the prefix, not by splitting.
    const secret = token.slice(`wharf_${id}_`.length);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(await verifySecret(secret, stored as unknown as ApiKeyRecord)).toBe(true);
    expect(Date.parse(stored.expires!) - Date.parse(stored.created)).toBe(600_000);

    const persistent = await h.call('POST', TOKENS, { roles: ['proxy'], persistent: true });
    expect(persistent.status).toBe(201);
    expect(persistent.body.expires).toBeUndefined();
  });

  test('DELETE revokes a roles token: the record stays, marked revoked, and is refused', async () => {
    const created = await h.call('POST', TOKENS, { roles: ['proxy'] });
    const { id, token } = created.body as { id: string; token: string };
    const res = await h.call('DELETE', `${TOKENS}/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, revoked: expect.any(String) });
    const stored = parseDocument('roles-token', (await h.zk.get(paths.rolesToken(id))).data);
    expect(stored.revoked).toBe(res.body.revoked);
    // Revoking again keeps the first instant.
    expect((await h.call('DELETE', `${TOKENS}/${id}`)).body.revoked).toBe(res.body.revoked);
    await expect(
      checkRolesToken(stored, token.slice(`wharf_${id}_`.length), { roles: ['proxy'], now: new Date() }),
    ).rejects.toMatchObject({ code: 'WHARF_FORBIDDEN', details: [{ path: 'token' }] });

    const before = await dumpTree(h.zk, '/platform');
    const missing = await h.call('DELETE', `${TOKENS}/nosuchtoken`);
    expect([missing.status, missing.body.error.details[0].path]).toEqual([404, 'id']);
    const bad = await h.call('DELETE', `${TOKENS}/Bad..Id`);
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, 'id']);
    expect(await dumpTree(h.zk, '/platform')).toEqual(before);
  });

  test('invalid token requests: 400 with every issue, nothing written', async () => {
    const before = await dumpTree(h.zk, '/platform');
    const cases: Array<[unknown, string[]]> = [
      [{}, ['roles']],
      [{ roles: [] }, ['roles']],
      [
        { roles: ['allocator', 'chef'], persistent: 'yes', ttl_seconds: 0, extra: 1 },
        ['extra', 'roles[1]', 'persistent', 'ttl_seconds'],
      ],
      [{ roles: ['proxy', 'proxy'] }, ['roles']],
    ];
    for (const [body, paths] of cases) {
      const res = await h.call('POST', TOKENS, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WHARF_VALIDATION');
      expect(typeof res.body.error.message).toBe('string');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(paths);
    }
    expect(
      (
        await h.call('POST', TOKENS, undefined, {
          raw: '[1]',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(400);
    expect((await h.call('POST', TOKENS, { roles: ['proxy'] }, { noAuth: true })).status).toBe(401);
    expect(await dumpTree(h.zk, '/platform')).toEqual(before);
  });

  test('GET /platform/hosts shows registrations, connection and running services', async () => {
    const res = await h.call('GET', '/api/v1/platform/hosts');
    expect(res.status).toBe(200);
    expect(res.body.hosts).toEqual([
      {
        id: 'h1',
        address: '10.0.0.1',
        zone: 'zone-a',
        roles: ['proxy'],
        runtime: 'process',
        version: '0.1.0',
        started: '2026-01-01T00:00:00.000Z',
        connected: true,
        services: [
          { service: 'proxy', id: 'proxy-h1', state: 'running', pid: 4243, port: 9200, restarts: 0 },
        ],
      },
    ]);
  });

  test('PUT roles replaces the roles and keeps everything else; 404/400 write nothing', async () => {
    const before = await dumpTree(h.zk, '/hosts');
    const unknown = await h.call('PUT', '/api/v1/platform/hosts/nope/roles', { roles: [] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'WHARF_NOT_FOUND', details: [{ path: 'id' }] });
    const bad = await h.call('PUT', '/api/v1/platform/hosts/h1/roles', { roles: ['king'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'WHARF_VALIDATION', details: [{ path: 'roles[0]' }] });
    const badId = await h.call('PUT', '/api/v1/platform/hosts/Bad_Id/roles', { roles: [] });
    expect(badId.status).toBe(400);
    expect(badId.body.error.details[0].path).toBe('id');
    expect(await dumpTree(h.zk, '/hosts')).toEqual(before);

    const ok = await h.call('PUT', '/api/v1/platform/hosts/h1/roles', {
      roles: ['allocator', 'coordinator'],
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: 'h1', roles: ['allocator', 'coordinator'], address: '10.0.0.1' });
    const stored = parseDocument('host-registration', (await h.zk.get(paths.host('h1'))).data);
    expect(stored).toMatchObject({
      roles: ['allocator', 'coordinator'],
      zone: 'zone-a',
      started: '2026-01-01T00:00:00.000Z',
    });
  });
});
