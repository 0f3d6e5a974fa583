/**
 * Organizations against a real ZooKeeper: a key of organization B cannot list, read, change or
 * reach A's deployments (404, exactly as for a missing deployment, so ids do not leak), nor A
 * itself, nor the platform (403); quotas refuse a create or a resize past them (409
 * `WHARF_QUOTA_EXCEEDED` naming the quota) and nothing is written; bad input names the field.
 */
import { parseDocument, paths } from '@wharf/model';
import { useApiHarness, type ApiResponse } from './helpers/harness';
import { etcdRequest } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const KEYS = '/api/v1/platform/configuration/security/api-keys';
const ORGS = '/api/v1/organizations';

describe('organizations', () => {
  const { h } = useApiHarness('/api-orgs');
  const keys: Record<string, string> = {};
  let acmeDeployment = '';

  const as = (who: string, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    h.call(method, path, body, { headers: { authorization: `ApiKey ${keys[who]}` } });

  /** Runs `call`, expects `status` and the error code, and that the ZooKeeper tree is unchanged. */
  async function refused(
    call: () => Promise<ApiResponse>,
    status: number,
    code: string,
  ): Promise<ApiResponse> {
    const before = await dumpTree(h.zk);
    const res = await call();
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    expect(await dumpTree(h.zk)).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    expect(
      (await h.call('POST', ORGS, { id: 'acme', name: 'Acme', quotas: { deployments: 2, memory_mb: 3072 } }))
        .status,
    ).toBe(201);
    expect((await h.call('POST', ORGS, { id: 'globex', name: 'Globex' })).status).toBe(201);
    for (const [who, organization_id, role] of [
      ['acme', 'acme', 'deployment-manager'],
      ['acme-viewer', 'acme', 'viewer'],
      ['globex', 'globex', 'deployment-manager'],
    ] as const) {
      const res = await h.call('POST', KEYS, { description: who, roles: [role], organization_id });
      expect(res.status).toBe(201);
      expect(res.body.organization_id).toBe(organization_id);
      keys[who] = res.body.key as string;
    }
    const created = await as('acme', 'POST', '/api/v1/deployments', etcdRequest('acme-orders', 3, 512));
    expect(created.status).toBe(201);
    acmeDeployment = created.body.id as string;
  }, 60_000);

  it("stores the creating key's organization on the deployment", async () => {
    const stored = parseDocument(
      'deployment',
      (await h.zk.get(paths.deployment(acmeDeployment))).data.toString(),
    );
    expect(stored.organization_id).toBe('acme');
    const list = await as('acme-viewer', 'GET', '/api/v1/deployments');
    expect(list.body.deployments.map((d: { id: string }) => d.id)).toEqual([acmeDeployment]);
    expect((await as('acme-viewer', 'GET', `/api/v1/deployments/${acmeDeployment}`)).status).toBe(200);
  });

  it("keeps organization B's key away from A's deployments, A itself and the platform", async () => {
    const id = acmeDeployment;
    const missing = await as('globex', 'GET', '/api/v1/deployments/nosuchdeployment');
    expect(missing.status).toBe(404);
    // Every route of A's deployment answers what a missing deployment answers.
    for (const [method, path, body] of [
      ['GET', `/api/v1/deployments/${id}`, undefined],
      ['PUT', `/api/v1/deployments/${id}`, etcdRequest('stolen', 1)],
      ['DELETE', `/api/v1/deployments/${id}`, undefined],
      ['GET', `/api/v1/deployments/${id}/plan`, undefined],
      ['GET', `/api/v1/deployments/${id}/plan/activity`, undefined],
      ['DELETE', `/api/v1/deployments/${id}/plan/pending`, undefined],
      ['GET', `/API/V1/Deployments/${id}`, undefined],
    ] as const) {
      const res = await refused(() => as('globex', method, path, body), 404, 'WHARF_NOT_FOUND');
      expect(res.body.error.message).toBe(`deployment ${id} not found`);
    }
    expect((await as('globex', 'GET', '/api/v1/deployments')).body.deployments).toEqual([]);
    // Filters, cursors and the search are confined the same way (and a search is a read).
    const filtered = await as('globex', 'GET', '/api/v1/deployments?name_prefix=acme&stack=etcd&size=1000');
    expect(filtered.body).toMatchObject({ deployments: [], total: 0, next_cursor: null });
    for (const query of [undefined, { prefix: { name: 'acme' } }, { term: { status: 'creating' } }]) {
      const found = await as('globex', 'POST', '/api/v1/deployments/_search', query ? { query } : {});
      expect(found.body).toMatchObject({ deployments: [], match_count: 0 });
    }
    const own = await as('acme-viewer', 'POST', '/api/v1/deployments/_search', {
      query: { prefix: { name: 'acme' } },
    });
    expect(own.body.deployments.map((d: { id: string }) => d.id)).toEqual([id]);
    await refused(() => as('globex', 'GET', `${ORGS}/acme`), 404, 'WHARF_NOT_FOUND');
    expect((await as('globex', 'GET', ORGS)).body.organizations.map((o: { id: string }) => o.id)).toEqual([
      'globex',
    ]);
    await refused(() => as('globex', 'GET', '/api/v1/platform/allocators'), 403, 'WHARF_FORBIDDEN');
    await refused(() => as('globex', 'GET', KEYS), 403, 'WHARF_FORBIDDEN');
    // The platform's own key sees everything.
    expect((await h.call('GET', `/api/v1/deployments/${id}`)).status).toBe(200);
    expect((await h.call('GET', `${ORGS}/acme`)).body.usage).toEqual({ memory_mb: 1536, deployments: 1 });
  });

  it('refuses a create or a resize past a quota, writing nothing', async () => {
    // memory: 1536 used of 3072; a resize to 3 × 1536 = 4608 does not fit.
    const resize = await refused(
      () => as('acme', 'PUT', `/api/v1/deployments/${acmeDeployment}`, etcdRequest('acme-orders', 3, 1536)),
      409,
      'WHARF_QUOTA_EXCEEDED',
    );
    expect(resize.body.error.details[0].path).toBe('quotas.memory_mb');
    expect((await as('acme', 'POST', '/api/v1/deployments', etcdRequest('second', 1, 1024))).status).toBe(
      201,
    );
    // deployments: 2 of 2.
    const third = await refused(
      () => as('acme', 'POST', '/api/v1/deployments', etcdRequest('third', 1, 256)),
      409,
      'WHARF_QUOTA_EXCEEDED',
    );
    expect(third.body.error.details[0].path).toBe('quotas.deployments');
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const unknown = await refused(
      () => h.call('POST', KEYS, { description: 'x', roles: ['viewer'], organization_id: 'nosuchorg' }),
      404,
      'WHARF_NOT_FOUND',
    );
    expect(unknown.body.error.details[0].path).toBe('organization_id');
    const admin = await refused(
      () => h.call('POST', KEYS, { description: 'x', organization_id: 'acme' }),
      400,
      'WHARF_VALIDATION',
    );
    expect(admin.body.error.details[0].path).toBe('roles[0]');
    const below = await refused(
      () => h.call('PUT', `${ORGS}/acme/quotas`, { deployments: 1 }),
      409,
      'WHARF_CONFLICT',
    );
    expect(below.body.error.details[0].path).toBe('quotas.deployments');
    const negative = await refused(
      () => h.call('PUT', `${ORGS}/acme/quotas`, { memory_mb: -1 }),
      400,
      'WHARF_VALIDATION',
    );
    expect(negative.body.error.details[0].path).toBe('quotas.memory_mb');
    const badId = await refused(
      () => h.call('POST', ORGS, { id: 'Not An Id', name: 'x' }),
      400,
      'WHARF_VALIDATION',
    );
    expect(badId.body.error.details[0].path).toBe('id');
    await refused(() => h.call('DELETE', `${ORGS}/acme`), 409, 'WHARF_IN_USE');
    await refused(() => as('acme', 'POST', ORGS, { id: 'mine', name: 'x' }), 403, 'WHARF_FORBIDDEN');
    expect((await h.call('PUT', `${ORGS}/acme/quotas`, { deployments: 5 })).status).toBe(200);
  });
});
