/**
 * Roles on API keys against a real ZooKeeper: a `viewer` reads and changes nothing, a
 * `deployment-manager` changes deployments but not the platform or its keys, a `platform-admin`
 * does everything; a refused request answers 403 `WHARF_FORBIDDEN` and writes nothing; every
 * change leaves an audit line (key, role, route, deployment, result) without any secret.
 */
import { useApiHarness, type ApiResponse } from './helpers/harness';
import { etcdRequest } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const KEYS = '/api/v1/platform/configuration/security/api-keys';

describe('API key roles', () => {
  const { h } = useApiHarness('/api-rbac');
  const keys: Record<string, string> = {};

  const as = (role: string, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    h.call(method, path, body, { headers: { authorization: `ApiKey ${keys[role]}` } });

  /** The request is refused 403 naming the role it needs, and the tree is unchanged. */
  async function refused(role: string, method: string, path: string, needs: string, body?: unknown) {
    const before = await dumpTree(h.zk);
    const res = await as(role, method, path, body);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'WHARF_FORBIDDEN',
      details: [{ path: 'authorization', message: `needs role ${needs}` }],
    });
    expect(res.body.error.message).toContain(`role ${role}`);
    expect(await dumpTree(h.zk)).toEqual(before);
  }

  beforeAll(async () => {
    for (const role of ['viewer', 'deployment-manager', 'platform-admin']) {
      const res = await h.call('POST', KEYS, { description: role, roles: [role] });
      expect(res.status).toBe(201);
      expect(res.body.roles).toEqual([role]);
      keys[role] = res.body.key as string;
    }
  }, 60_000);

  it('lets a viewer read, and refuses its every change', async () => {
    expect((await as('viewer', 'GET', '/api/v1/deployments')).status).toBe(200);
    expect((await as('viewer', 'GET', '/api/v1/platform/allocators')).status).toBe(200);
    await refused('viewer', 'POST', '/api/v1/deployments', 'deployment-manager', etcdRequest('nope'));
    await refused('viewer', 'GET', KEYS, 'platform-admin');
    await refused('viewer', 'GET', KEYS.toUpperCase(), 'platform-admin');
    await refused('viewer', 'POST', KEYS, 'platform-admin', {
      description: 'escalate',
      roles: ['platform-admin'],
    });
  });

  it('tells every key its own id and role at GET /user, and nothing about other keys', async () => {
    for (const role of ['viewer', 'deployment-manager', 'platform-admin']) {
      const res = await as(role, 'GET', '/api/v1/user');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key_id: keys[role]!.split('_')[1], role });
    }
    expect((await h.call('GET', '/api/v1/user', undefined, { noAuth: true })).status).toBe(401);
  });

  it('lets a deployment-manager change deployments, not the platform or the keys', async () => {
    const created = await as('deployment-manager', 'POST', '/api/v1/deployments', etcdRequest('orders'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await as('viewer', 'GET', `/api/v1/deployments/${id}`)).status).toBe(200);
    await refused('viewer', 'DELETE', `/api/v1/deployments/${id}`, 'deployment-manager');
    await refused(
      'deployment-manager',
      'PUT',
      '/api/v1/platform/allocators/alloc-a/maintenance',
      'platform-admin',
      {
        enabled: true,
      },
    );
    await refused('deployment-manager', 'POST', KEYS, 'platform-admin', { description: 'x' });
    expect((await as('deployment-manager', 'DELETE', `/api/v1/deployments/${id}`)).status).toBeLessThan(300);
  });

  it('lets a platform-admin manage keys, and refuses a bad role naming the field', async () => {
    expect((await as('platform-admin', 'GET', KEYS)).status).toBe(200);
    const before = await dumpTree(h.zk);
    const bad = await as('platform-admin', 'POST', KEYS, { description: 'x', roles: ['root'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: 'roles[0]', message: expect.stringContaining('viewer') },
    ]);
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('writes an audit line for each change, naming the key and the result, never the key itself', async () => {
    h.logger.clear();
    await as('viewer', 'POST', '/api/v1/deployments', etcdRequest('audited'));
    const created = await as('deployment-manager', 'POST', '/api/v1/deployments', etcdRequest('audited'));
    await new Promise((r) => setTimeout(r, 50));
    const audit = h.logger.entries.filter((e) => e.message === 'audit').map((e) => e.meta);
    expect(audit).toEqual([
      expect.objectContaining({
        role: 'viewer',
        method: 'POST',
        path: '/deployments',
        status: 403,
        result: 'forbidden',
      }),
      expect.objectContaining({ role: 'deployment-manager', method: 'POST', status: 201, result: 'ok' }),
    ]);
    const text = JSON.stringify(h.logger.entries);
    // The secret is base64url and may itself hold `_`: it is everything after `wharf_<keyId>_`.
    for (const key of Object.values(keys)) expect(text).not.toContain(key.split('_').slice(2).join('_'));
    expect(created.status).toBe(201);
  });
});
