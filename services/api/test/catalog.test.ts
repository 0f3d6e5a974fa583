/**
 * Instance configurations and deployment templates against a real ZooKeeper: built-ins present on
 * a fresh install without a write, CRUD of stored entries, creates checked against their
 * configuration and made from templates with overrides, bad input refused naming the field with
 * the tree unchanged, a configuration in use not deleted, and writes for platform-admins only.
 */
import { paths } from '@wharf/model';
import { useApiHarness, type ApiResponse } from './helpers/harness';
import { etcdRequest, type Loose } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const CONFIGS = '/api/v1/platform/configuration/instances';
const TEMPLATES = '/api/v1/deployments/templates';
const KEYS = '/api/v1/platform/configuration/security/api-keys';
const TOPOLOGY = 'resources.etcd[0].plan.cluster_topology[0]';

describe('catalog', () => {
  const { h } = useApiHarness('/api-catalog');

  /** The request answers `status` with `code`, naming `path` first, and writes nothing. */
  async function refused(
    method: string,
    path: string,
    body: unknown,
    status: number,
    code: string,
    field: string,
  ) {
    const before = await dumpTree(h.zk);
    const res = await h.call(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details[0].path).toBe(field);
    expect(await dumpTree(h.zk)).toEqual(before);
    return res;
  }

  async function pendingPlan(id: string): Promise<Loose> {
    return JSON.parse((await h.zk.get(paths.planPending(id))).data.toString('utf8'));
  }

  it('serves the built-ins on a fresh install without writing them', async () => {
    const list = await h.call('GET', CONFIGS);
    expect(list.status).toBe(200);
    const ids = (list.body.instance_configurations as Loose[]).map((c) => c.id);
    expect(ids).toEqual([
      'etcd.default',
      'etcd.large',
      'etcd.medium',
      'etcd.small',
      'etcd.xlarge',
      'http.default',
    ]);
    const medium = await h.call('GET', `${CONFIGS}/etcd.medium`);
    expect(medium.body).toMatchObject({
      id: 'etcd.medium',
      stack: 'etcd',
      discrete_sizes: { sizes: [1024, 2048], default_size: 1024 },
      system_owned: true,
      stored: false,
    });
    const templates = await h.call('GET', TEMPLATES);
    expect(templates.status).toBe(200);
    expect((templates.body.templates as Loose[]).map((t) => t.id)).toEqual(['etcd-default', 'http-default']);
    expect(await h.zk.children(paths.instanceConfigurations())).toEqual([]);
    expect(await h.zk.exists(paths.templates())).toBeFalsy();
  });

  it('creates, overrides, replaces and deletes instance configurations', async () => {
    const tiny = { stack: 'etcd', discrete_sizes: { sizes: [128], default_size: 128 } };
    expect((await h.call('PUT', `${CONFIGS}/etcd.tiny`, tiny)).status).toBe(201);
    const stored = JSON.parse(
      (await h.zk.get(paths.instanceConfiguration('etcd.tiny'))).data.toString('utf8'),
    );
    expect(stored).toEqual({ schema_version: 1, id: 'etcd.tiny', ...tiny });
    expect((await h.call('PUT', `${CONFIGS}/etcd.tiny`, { ...tiny, cpu_multiplier: 2 })).status).toBe(200);
    expect((await h.call('GET', `${CONFIGS}/etcd.tiny`)).body).toMatchObject({
      cpu_multiplier: 2,
      stored: true,
    });
    expect((await h.call('DELETE', `${CONFIGS}/etcd.tiny`)).status).toBe(200);
    expect((await h.call('GET', `${CONFIGS}/etcd.tiny`)).status).toBe(404);

    // A stored document overrides the built-in of its id; deleting it brings the built-in back.
    const small = { stack: 'etcd', discrete_sizes: { sizes: [512], default_size: 512 } };
    expect((await h.call('PUT', `${CONFIGS}/etcd.small`, small)).status).toBe(201);
    expect((await h.call('GET', `${CONFIGS}/etcd.small`)).body).toMatchObject({
      ...small,
      system_owned: true,
      stored: true,
    });
    await refused(
      'POST',
      '/api/v1/deployments',
      etcdOn('etcd.small', 256),
      400,
      'WHARF_PLAN_INVALID',
      `${TOPOLOGY}.size`,
    );
    expect((await h.call('DELETE', `${CONFIGS}/etcd.small`)).status).toBe(200);
    expect((await h.call('GET', `${CONFIGS}/etcd.small`)).body.discrete_sizes.sizes).toEqual([256, 512]);
    await refused('DELETE', `${CONFIGS}/etcd.small`, undefined, 409, 'WHARF_CONFLICT', 'id');
  });

  it('refuses bad configurations naming the field, writing nothing', async () => {
    await refused('PUT', `${CONFIGS}/etcd.bad`, { stack: 'redis' }, 400, 'WHARF_VALIDATION', 'stack');
    await refused(
      'PUT',
      `${CONFIGS}/etcd.bad`,
      { stack: 'etcd', discrete_sizes: { sizes: [256], default_size: 512 } },
      400,
      'WHARF_VALIDATION',
      'discrete_sizes.default_size',
    );
    await refused(
      'PUT',
      `${CONFIGS}/etcd.bad`,
      { stack: 'etcd', id: 'other' },
      400,
      'WHARF_VALIDATION',
      'id',
    );
    await refused('PUT', `${CONFIGS}/Bad..id`, { stack: 'etcd' }, 400, 'WHARF_INVALID_ID', 'id');
    await refused('DELETE', `${CONFIGS}/etcd.none`, undefined, 404, 'WHARF_NOT_FOUND', 'id');
  });

  it('checks topology elements against their instance configuration', async () => {
    const path = '/api/v1/deployments';
    await refused('POST', path, etcdOn('etcd.small', 1024), 400, 'WHARF_PLAN_INVALID', `${TOPOLOGY}.size`);
    await refused(
      'POST',
      path,
      etcdOn('etcd.nope', 256),
      400,
      'WHARF_PLAN_INVALID',
      `${TOPOLOGY}.instance_configuration_id`,
    );
    await refused(
      'POST',
      path,
      etcdOn('http.default', 256),
      400,
      'WHARF_PLAN_INVALID',
      `${TOPOLOGY}.instance_configuration_id`,
    );
    const created = await h.call('POST', path, etcdOn('etcd.xlarge', 8192));
    expect(created.status).toBe(201);
    // A resize is checked the same way.
    const id = created.body.id as string;
    const put = `${path}/${id}`;
    await refused(
      'PUT',
      put,
      { resources: etcdOn('etcd.xlarge', 4096).resources },
      400,
      'WHARF_PLAN_INVALID',
      `${TOPOLOGY}.size`,
    );
  });

  it('creates a deployment from a built-in template, with and without overrides', async () => {
    const plain = await h.call('POST', '/api/v1/deployments', {
      deployment_template: { id: 'etcd-default' },
    });
    expect(plain.status).toBe(201);
    expect(plain.body.name).toBe('etcd');
    const element = (await pendingPlan(plain.body.id as string)).resources.etcd[0].plan.cluster_topology[0];
    expect(element).toEqual({
      id: 'default',
      instance_configuration_id: 'etcd.small',
      size: { resource: 'memory', value: 256 },
      zone_count: 3,
    });

    const body = {
      name: 'orders',
      deployment_template: { id: 'etcd-default', size: 512, zone_count: 1, version: '3.5' },
    };
    const custom = await h.call('POST', '/api/v1/deployments', body);
    expect(custom.status).toBe(201);
    expect(custom.body.name).toBe('orders');
    const plan = (await pendingPlan(custom.body.id as string)).resources.etcd[0].plan;
    expect(plan.cluster_topology[0]).toMatchObject({ size: { value: 512 }, zone_count: 1 });
    expect(plan.etcd.version).toBe('3.5');
  });

  it('refuses templated creates with an unknown template or a bad override, writing nothing', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ id: 'nope' }, 'WHARF_VALIDATION', 'deployment_template.id'],
      [{ id: 'etcd-default', size: 1024 }, 'WHARF_PLAN_INVALID', 'deployment_template.size'],
      [{ id: 'etcd-default', version: '9.9' }, 'WHARF_PLAN_INVALID', 'deployment_template.version'],
      [{ id: 'etcd-default', zone_count: 0 }, 'WHARF_VALIDATION', 'deployment_template.zone_count'],
      [{ id: 'etcd-default', colour: 'red' }, 'WHARF_VALIDATION', 'deployment_template.colour'],
    ];
    for (const [ref, code, field] of cases)
      await refused('POST', '/api/v1/deployments', { deployment_template: ref }, 400, code, field);
  });

  it('creates, uses and deletes a stored template; a bad one is refused naming the field', async () => {
    const template = { name: 'Big etcd', deployment: etcdOn('etcd.medium', 2048) };
    expect((await h.call('PUT', `${TEMPLATES}/big-etcd`, template)).status).toBe(201);
    expect(await h.zk.children(paths.templates())).toEqual(['big-etcd']);
    expect((await h.call('GET', `${TEMPLATES}/big-etcd`)).body).toMatchObject({
      id: 'big-etcd',
      stored: true,
      system_owned: false,
    });
    const created = await h.call('POST', '/api/v1/deployments', {
      name: 'big',
      deployment_template: { id: 'big-etcd', size: 1024 },
    });
    expect(created.status).toBe(201);
    const element = (await pendingPlan(created.body.id as string)).resources.etcd[0].plan.cluster_topology[0];
    expect(element).toMatchObject({ instance_configuration_id: 'etcd.medium', size: { value: 1024 } });

    const badVersion = { name: 'x', deployment: etcdRequest('x') };
    badVersion.deployment.resources.etcd[0].plan.etcd.version = '9.9';
    const at = 'deployment.resources.etcd[0].plan.etcd.version';
    await refused('PUT', `${TEMPLATES}/bad`, badVersion, 400, 'WHARF_PLAN_INVALID', at);
    const badSize = { name: 'x', deployment: etcdOn('etcd.medium', 256) };
    await refused(
      'PUT',
      `${TEMPLATES}/bad`,
      badSize,
      400,
      'WHARF_PLAN_INVALID',
      `deployment.${TOPOLOGY}.size`,
    );
    await refused(
      'PUT',
      `${TEMPLATES}/bad`,
      { deployment: etcdRequest('x') },
      400,
      'WHARF_VALIDATION',
      'name',
    );
    await refused('PUT', `${TEMPLATES}/Bad_Id`, template, 400, 'WHARF_INVALID_ID', 'id');

    expect((await h.call('DELETE', `${TEMPLATES}/big-etcd`)).status).toBe(200);
    expect((await h.call('GET', `${TEMPLATES}/big-etcd`)).status).toBe(404);
    await refused('DELETE', `${TEMPLATES}/etcd-default`, undefined, 409, 'WHARF_CONFLICT', 'id');
  });

  it('refuses to delete a configuration a deployment uses, writing nothing', async () => {
    const config = { stack: 'etcd', discrete_sizes: { sizes: [300], default_size: 300 } };
    expect((await h.call('PUT', `${CONFIGS}/etcd.used`, config)).status).toBe(201);
    const created = await h.call('POST', '/api/v1/deployments', etcdOn('etcd.used', 300));
    expect(created.status).toBe(201);
    const res = await refused('DELETE', `${CONFIGS}/etcd.used`, undefined, 409, 'WHARF_IN_USE', 'id');
    expect(res.body.error.details[0].message).toContain(created.body.id as string);
  });

  describe('roles', () => {
    const keys: Record<string, string> = {};
    const as = (role: string, method: string, path: string, body?: unknown): Promise<ApiResponse> =>
      h.call(method, path, body, { headers: { authorization: `ApiKey ${keys[role]}` } });

    beforeAll(async () => {
      expect((await h.call('POST', '/api/v1/organizations', { id: 'acme', name: 'Acme' })).status).toBe(201);
      for (const [role, organization] of [
        ['viewer', undefined],
        ['deployment-manager', undefined],
        ['acme', 'acme'],
      ] as const) {
        const roles = [role === 'acme' ? 'deployment-manager' : role];
        const body = { description: role, roles, ...(organization ? { organization_id: organization } : {}) };
        keys[role] = (await h.call('POST', KEYS, body)).body.key as string;
      }
    });

    it("lets an organization's key read the catalog and create from it, not change it", async () => {
      expect((await as('acme', 'GET', TEMPLATES)).status).toBe(200);
      expect((await as('acme', 'GET', `${CONFIGS}/etcd.small`)).status).toBe(200);
      const created = await as('acme', 'POST', '/api/v1/deployments', {
        deployment_template: { id: 'etcd-default' },
      });
      expect(created.status).toBe(201);
      expect(
        (await h.call('GET', `/api/v1/deployments/${created.body.id as string}`)).body.organization_id,
      ).toBe('acme');
      const before = await dumpTree(h.zk);
      expect(
        (await as('acme', 'PUT', `${TEMPLATES}/mine`, { name: 'T', deployment: etcdRequest('t') })).status,
      ).toBe(403);
      expect(await dumpTree(h.zk)).toEqual(before);
    });

    it('lets viewers read the catalog and only platform-admins change it', async () => {
      expect((await as('viewer', 'GET', TEMPLATES)).status).toBe(200);
      expect((await as('viewer', 'GET', `${TEMPLATES}/etcd-default`)).status).toBe(200);
      expect((await as('viewer', 'GET', `${CONFIGS}/etcd.small`)).status).toBe(200);
      const template = { name: 'T', deployment: etcdRequest('t') };
      for (const role of ['viewer', 'deployment-manager']) {
        const before = await dumpTree(h.zk);
        for (const [method, path, body] of [
          ['PUT', `${TEMPLATES}/mine`, template],
          ['PUT', `${TEMPLATES.toUpperCase()}/mine`, template],
          ['DELETE', `${TEMPLATES}/etcd-default`, undefined],
          ['PUT', `${CONFIGS}/etcd.mine`, { stack: 'etcd' }],
          ['DELETE', `${CONFIGS}/etcd.small`, undefined],
        ] as const) {
          const res = await as(role, method, path, body);
          expect([res.status, res.body.error.details]).toEqual([
            403,
            [{ path: 'authorization', message: 'needs role platform-admin' }],
          ]);
        }
        expect(await dumpTree(h.zk)).toEqual(before);
      }
      // A deployment-manager still creates deployments from a template.
      const created = await as('deployment-manager', 'POST', '/api/v1/deployments', {
        deployment_template: { id: 'http-default' },
      });
      expect(created.status).toBe(201);
    });
  });
});

/** A create request for one etcd element on configuration `ic` of `memoryMb`. */
function etcdOn(ic: string, memoryMb: number): Loose {
  const request = etcdRequest('sized', 3, memoryMb);
  request.resources.etcd[0].plan.cluster_topology[0].instance_configuration_id = ic;
  return request;
}
