/**
 * The defects a hostile user found (issue 9), against a real ZooKeeper: a malformed percent-escape
 * in any path parameter, nonsense deployments, and one-line outages through role and maintenance
 * changes. Each rejection is a 4xx naming the field and leaves the tree under the chroot as it was.
 */
import { paths, serializeDocument } from '@wharf/model';
import { waitFor } from '@wharf/testkit';
import { useApiHarness, type ApiResponse } from './helpers/harness';
import { advertisement, etcdRequest, instanceSpec, hostRegistration } from './helpers/plans';
import { dumpTree, createJson } from './helpers/tree';

jest.setTimeout(30_000);

const KEYS = '/api/v1/platform/configuration/security/api-keys';
const HOST = 'h1';
const ALLOCATOR = `allocator-${HOST}`;

/** Every route with a path parameter, with the malformed segment in place of the parameter. */
const ESCAPED_ROUTES: Array<[method: string, path: (bad: string) => string, body?: unknown]> = [
  ['GET', (b) => `/api/v1/deployments/${b}`],
  ['PUT', (b) => `/api/v1/deployments/${b}`, etcdRequest('x')],
  ['DELETE', (b) => `/api/v1/deployments/${b}`],
  ['GET', (b) => `/api/v1/deployments/${b}/plan`],
  ['GET', (b) => `/api/v1/deployments/${b}/plan/activity`],
  ['DELETE', (b) => `/api/v1/deployments/${b}/plan/pending`],
  ['DELETE', (b) => `${KEYS}/${b}`],
  ['PUT', (b) => `/api/v1/platform/allocators/${b}/maintenance`, { enabled: true }],
  ['PUT', (b) => `/api/v1/platform/hosts/${b}/roles`, { roles: [] }],
];
const ESCAPES = ['%zz', '%', '%E0%A4%A', 'ab%c3'];

function expectRejection(res: ApiResponse, status: number, code: string, path: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
  expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
}

describe('hostile input and guarded operations', () => {
  const { h } = useApiHarness('/api-hostile');

  const put = (path: string, value: unknown): Promise<void> => createJson(h.zk, path, value);
  const roles = async (): Promise<string[]> =>
    (await h.call('GET', '/api/v1/platform/hosts')).body.hosts.find((x: { id: string }) => x.id === HOST)
      .roles;

  beforeAll(async () => {
    await h.zk.mkdirp(paths.hosts());
    await h.zk.create(
      paths.host(HOST),
      serializeDocument('host-registration', hostRegistration(HOST, '127.0.0.1', ['allocator', 'proxy'])),
    );
    await put(paths.allocator(ALLOCATOR), advertisement(ALLOCATOR, 'zone-a'));
    await put(paths.instanceSpec(ALLOCATOR, 'orders-main-0'), {
      ...instanceSpec('orders', ALLOCATOR, 'zone-a', 0),
    });
    await put(paths.allocator('alloc-empty'), advertisement('alloc-empty', 'zone-b'));
    // The api reads allocators from a watch-driven cache: wait until it sees the instance.
    await waitFor(async () => {
      const { allocators } = (await h.call('GET', '/api/v1/platform/allocators')).body;
      return allocators.some(
        (a: { id: string; instances: number }) => a.id === ALLOCATOR && a.instances === 1,
      );
    });
  }, 60_000);

  it.each(
    ESCAPED_ROUTES.flatMap(([method, path, body]) =>
      ESCAPES.map((bad) => [method, path(bad), body] as const),
    ),
  )('%s %s → 400 naming id, nothing written', async (method, path, body) => {
    const before = await dumpTree(h.zk);
    const res = await h.call(method, path, body);
    expectRejection(res, 400, 'WHARF_BAD_REQUEST', 'id');
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('a malformed escape outside any parameter is a 400 naming the path', async () => {
    const res = await h.call('GET', '/api/v1/deploy%zzments');
    expectRejection(res, 400, 'WHARF_BAD_REQUEST', 'path');
  });

  it('well-formed escapes still reach the route (an id with %41 decodes and is validated)', async () => {
    const res = await h.call('GET', '/api/v1/deployments/%41BC');
    expectRejection(res, 400, 'WHARF_INVALID_ID', 'id');
  });

  it.each([
    ['no resource at all', 'resources', { name: 'orders', resources: { etcd: [] } }],
    ['empty lists of every stack', 'resources', { name: 'orders', resources: { etcd: [], http: [] } }],
    ['a name of control characters', 'name', { ...etcdRequest(), name: '\u0000\u0001' }],
    ['a name with an escape sequence', 'name', { ...etcdRequest(), name: 'a\u001b[2Jb' }],
    ['a blank name', 'name', { ...etcdRequest(), name: '   ' }],
    ['a name of 257 characters', 'name', { ...etcdRequest(), name: 'é'.repeat(257) }],
  ])('create with %s → 400 naming %s, nothing written', async (_what, field, body) => {
    const before = await dumpTree(h.zk);
    expectRejection(await h.call('POST', '/api/v1/deployments', body), 400, 'WHARF_VALIDATION', field);
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('an update to no resources is refused too', async () => {
    const id = (await h.call('POST', '/api/v1/deployments', etcdRequest('kept'))).body.id as string;
    const before = await dumpTree(h.zk);
    const res = await h.call('PUT', `/api/v1/deployments/${id}`, { resources: { etcd: [] } });
    expectRejection(res, 400, 'WHARF_VALIDATION', 'resources');
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('removing the allocator role of a host with instances → 409 WHARF_IN_USE naming them', async () => {
    const before = await dumpTree(h.zk);
    const res = await h.call('PUT', `/api/v1/platform/hosts/${HOST}/roles`, { roles: ['proxy'] });
    expectRejection(res, 409, 'WHARF_IN_USE', 'roles');
    expect(res.body.error.details[0].message).toContain('orders-main-0');
    expect(res.body.error.message).toContain('force=true');
    expect(await dumpTree(h.zk)).toEqual(before);
    expect(await roles()).toEqual(['allocator', 'proxy']);
  });

  it('role changes that keep the allocator are not guarded', async () => {
    const res = await h.call('PUT', `/api/v1/platform/hosts/${HOST}/roles`, { roles: ['allocator'] });
    expect(res.status).toBe(200);
    expect(await roles()).toEqual(['allocator']);
  });

  it('maintenance on an allocator with instances → 409 unless forced; an empty one is not guarded', async () => {
    const before = await dumpTree(h.zk);
    const res = await h.call('PUT', `/api/v1/platform/allocators/${ALLOCATOR}/maintenance`, {
      enabled: true,
    });
    expectRejection(res, 409, 'WHARF_IN_USE', 'enabled');
    expect(await dumpTree(h.zk)).toEqual(before);

    const empty = await h.call('PUT', '/api/v1/platform/allocators/alloc-empty/maintenance', {
      enabled: true,
    });
    expect(empty.status).toBe(200);
    const forced = await h.call('PUT', `/api/v1/platform/allocators/${ALLOCATOR}/maintenance?force=true`, {
      enabled: true,
    });
    expect(forced.status).toBe(200);
    expect(forced.body).toEqual({ id: ALLOCATOR, maintenance: true });
    await waitFor(async () => {
      const { allocators } = (await h.call('GET', '/api/v1/platform/allocators')).body;
      return allocators.some(
        (a: { id: string; maintenance: boolean }) => a.id === ALLOCATOR && a.maintenance,
      );
    });
    // Already in maintenance: repeating it changes nothing and is not refused.
    const again = await h.call('PUT', `/api/v1/platform/allocators/${ALLOCATOR}/maintenance`, {
      enabled: true,
    });
    expect(again.status).toBe(200);
    const off = await h.call('PUT', `/api/v1/platform/allocators/${ALLOCATOR}/maintenance`, {
      enabled: false,
    });
    expect(off.status).toBe(200);
  });

  it('?force=true removes the role anyway; force must be a boolean', async () => {
    const bad = await h.call('PUT', `/api/v1/platform/hosts/${HOST}/roles?force=yes`, { roles: [] });
    expectRejection(bad, 400, 'WHARF_BAD_REQUEST', 'force');
    const res = await h.call('PUT', `/api/v1/platform/hosts/${HOST}/roles?force=true`, { roles: [] });
    expect(res.status).toBe(200);
    expect(await roles()).toEqual([]);
  });
});
