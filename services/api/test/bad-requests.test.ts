/**
 * Rejected requests: each answers a 4xx with `{ error: { code, message, details[{path,message}] } }`
 * naming the offending field, and leaves the whole ZooKeeper tree under the chroot byte-for-byte
 * (and zxid-for-zxid) as it was.
 */
import { useApiHarness, type ApiResponse, type Harness } from './helpers/harness';
import { advertisement, etcdRequest } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const TOPOLOGY = 'resources.etcd[0].plan.cluster_topology[0]';
const STRATEGY = 'resources.etcd[0].plan.transient.strategy';

type Case = [
  name: string,
  status: number,
  path: string,
  send: (h: Harness, id: string) => Promise<ApiResponse>,
];

const withBody = (mutate: (body: any) => void) => {
  const body = etcdRequest('bad');
  mutate(body);
  return body;
};
const post = (h: Harness, body: unknown, query = '') => h.call('POST', `/api/v1/deployments${query}`, body);

const cases: Case[] = [
  [
    'invalid JSON',
    400,
    'body',
    (h) => h.call('POST', '/api/v1/deployments', undefined, { raw: '{"name": "x", ' }),
  ],
  ['oversized body (300 KB)', 413, 'body', (h) => post(h, { ...etcdRequest(), pad: 'x'.repeat(300 * 1024) })],
  [
    '2 MB name',
    413,
    'body',
    (h) =>
      post(
        h,
        withBody((b) => (b.name = 'x'.repeat(2 * 1024 * 1024))),
      ),
  ],
  [
    'name over 256 characters',
    400,
    'name',
    (h) =>
      post(
        h,
        withBody((b) => (b.name = 'x'.repeat(300))),
      ),
  ],
  [
    'not JSON (text/plain)',
    400,
    'body',
    (h) =>
      h.call('POST', '/api/v1/deployments', undefined, {
        raw: 'name=x',
        headers: { 'content-type': 'text/plain' },
      }),
  ],
  ['a JSON array', 400, 'body', (h) => post(h, [etcdRequest()])],
  [
    'unknown stack',
    400,
    'resources.mysql',
    (h) =>
      post(
        h,
        withBody((b) => (b.resources.mysql = b.resources.etcd)),
      ),
  ],
  [
    'unsupported stack version',
    400,
    'resources.etcd[0].plan.etcd.version',
    (h) =>
      post(
        h,
        withBody((b) => (b.resources.etcd[0].plan.etcd.version = '9.9')),
      ),
  ],
  [
    'zone_count 0',
    400,
    `${TOPOLOGY}.zone_count`,
    (h) =>
      post(
        h,
        withBody((b) => (b.resources.etcd[0].plan.cluster_topology[0].zone_count = 0)),
      ),
  ],
  [
    'missing resources',
    400,
    'resources',
    (h) =>
      post(
        h,
        withBody((b) => delete b.resources),
      ),
  ],
  [
    'unknown top-level field',
    400,
    'id',
    (h) =>
      post(
        h,
        withBody((b) => (b.id = 'chosen-by-me')),
      ),
  ],
  [
    'duplicate ref_id',
    400,
    'resources.etcd[1].ref_id',
    (h) =>
      post(
        h,
        withBody((b) => b.resources.etcd.push(b.resources.etcd[0])),
      ),
  ],
  ['bad validate_only', 400, 'validate_only', (h) => post(h, etcdRequest(), '?validate_only=maybe')],
  ['request_id too short', 400, 'request_id', (h) => post(h, etcdRequest(), '?request_id=short')],
  ['unknown query parameter', 400, 'dry_run', (h) => post(h, etcdRequest(), '?dry_run=true')],
  ['size not a number', 400, 'size', (h) => h.call('GET', '/api/v1/deployments?size=abc')],
  ['size over the maximum', 400, 'size', (h) => h.call('GET', '/api/v1/deployments?size=1001')],
  ['repeated from', 400, 'from', (h) => h.call('GET', '/api/v1/deployments?from=1&from=2')],
  [
    'id with .. in the URL',
    400,
    'id',
    (h) => h.rawPath('GET', '/api/v1/deployments/..') as Promise<ApiResponse>,
  ],
  ['PUT to an id with .. inside', 400, 'id', (h) => h.call('PUT', '/api/v1/deployments/a..b', etcdRequest())],
  ['DELETE of an id with an encoded slash', 400, 'id', (h) => h.call('DELETE', '/api/v1/deployments/a%2Fb')],
  [
    'PUT with version -1',
    400,
    'version',
    (h, id) => h.call('PUT', `/api/v1/deployments/${id}?version=-1`, etcdRequest()),
  ],
  [
    'PUT with version abc',
    400,
    'version',
    (h, id) => h.call('PUT', `/api/v1/deployments/${id}?version=abc`, etcdRequest()),
  ],
  [
    'PUT with a stale version',
    409,
    'version',
    (h, id) => h.call('PUT', `/api/v1/deployments/${id}?version=7`, etcdRequest()),
  ],
  [
    'PUT with an unknown field',
    400,
    'region',
    (h, id) => h.call('PUT', `/api/v1/deployments/${id}`, { ...etcdRequest(), region: 'x' }),
  ],
  [
    'unknown strategy',
    400,
    `${STRATEGY}.in_place`,
    (h) =>
      post(
        h,
        withBody((b) => (b.resources.etcd[0].plan.transient.strategy = { in_place: {} })),
      ),
  ],
  [
    'two strategies at once',
    400,
    STRATEGY,
    (h) =>
      post(
        h,
        withBody((b) => (b.resources.etcd[0].plan.transient.strategy = { rolling: {}, autodetect: {} })),
      ),
  ],
  [
    'group_by typo (__zone__)',
    400,
    `${STRATEGY}.rolling.group_by`,
    (h) =>
      post(
        h,
        withBody(
          (b) => (b.resources.etcd[0].plan.transient.strategy = { rolling: { group_by: '__zone__' } }),
        ),
      ),
  ],
  [
    'group_by on a strategy that takes none',
    400,
    `${STRATEGY}.rolling_grow_and_shrink.group_by`,
    (h) =>
      post(
        h,
        withBody(
          (b) =>
            (b.resources.etcd[0].plan.transient.strategy = {
              rolling_grow_and_shrink: { group_by: '__all__' },
            }),
        ),
      ),
  ],
  [
    'PUT with a group_by typo',
    400,
    `${STRATEGY}.rolling.group_by`,
    (h, id) =>
      h.call(
        'PUT',
        `/api/v1/deployments/${id}`,
        withBody((b) => (b.resources.etcd[0].plan.transient.strategy = { rolling: { group_by: 'zone' } })),
      ),
  ],
  [
    '_restart with a group_by typo',
    400,
    'group_by',
    (h, id) => h.call('POST', `/api/v1/deployments/${id}/_restart?group_by=__zone__`),
  ],
  [
    '_restart with an unknown parameter',
    400,
    'skip_snapshot',
    (h, id) => h.call('POST', `/api/v1/deployments/${id}/_restart?skip_snapshot=true`),
  ],
  [
    '_restart of an unknown deployment',
    404,
    'id',
    (h) => h.call('POST', '/api/v1/deployments/nope/_restart'),
  ],
  [
    'PUT with zone_count 17',
    400,
    `${TOPOLOGY}.zone_count`,
    (h, id) =>
      h.call(
        'PUT',
        `/api/v1/deployments/${id}`,
        withBody((b) => (b.resources.etcd[0].plan.cluster_topology[0].zone_count = 17)),
      ),
  ],
  [
    'maintenance not a boolean',
    400,
    'enabled',
    (h) => h.call('PUT', '/api/v1/platform/allocators/alloc-a/maintenance', { enabled: 'yes' }),
  ],
  [
    'maintenance with an extra field',
    400,
    'reason',
    (h) => h.call('PUT', '/api/v1/platform/allocators/alloc-a/maintenance', { enabled: true, reason: 'x' }),
  ],
  [
    'maintenance of an unknown allocator',
    404,
    'id',
    (h) => h.call('PUT', '/api/v1/platform/allocators/nope/maintenance', { enabled: true }),
  ],
  [
    'create without an API key',
    401,
    'authorization',
    (h) => h.call('POST', '/api/v1/deployments', etcdRequest(), { noAuth: true }),
  ],
  [
    'create with a wrong API key',
    401,
    'authorization',
    (h) =>
      h.call('POST', '/api/v1/deployments', etcdRequest(), {
        headers: { authorization: `ApiKey ${h.key.slice(0, -4)}AAAA` },
      }),
  ],
  [
    'cancel without a pending plan',
    404,
    'pending',
    (h, id) => h.call('DELETE', `/api/v1/deployments/${id}/plan/pending`),
  ],
];

describe('rejected requests write nothing', () => {
  const { h } = useApiHarness('/api-bad');
  let id: string;

  beforeAll(async () => {
    id = (await h.call('POST', '/api/v1/deployments', etcdRequest('existing'))).body.id;
    await h.call('DELETE', `/api/v1/deployments/${id}/plan/pending`);
    await h.zk.mkdirp('/allocators/alloc-a');
    await h.zk.setJson('/allocators/alloc-a', advertisement('alloc-a', 'zone-a'), -1);
  }, 60_000);

  it.each(cases)('%s → %i naming %s', async (_name, status, path, send) => {
    const before = await dumpTree(h.zk);
    const res = await send(h, id);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      error: {
        code: expect.stringMatching(/^WHARF_/),
        message: expect.any(String),
        details: expect.any(Array),
      },
    });
    expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
    for (const d of res.body.error.details)
      expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    const res = await h.call('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('WHARF_NOT_FOUND');
    expect((await h.call('GET', '/elsewhere')).body.error.code).toBe('WHARF_NOT_FOUND');
  });

  it('answers a known path asked with the wrong method with 405 and Allow', async () => {
    const before = await dumpTree(h.zk);
    const res = await h.call('PATCH', '/api/v1/deployments');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(res.body.error).toMatchObject({
      code: 'WHARF_METHOD_NOT_ALLOWED',
      details: [{ path: 'method', message: expect.stringContaining('POST') }],
    });
    const one = await h.call('POST', '/api/v1/deployments/abc123');
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toContain('DELETE');
    expect(await dumpTree(h.zk)).toEqual(before);
  });
});

describe('the tree dump', () => {
  const { h } = useApiHarness('/api-dump');

  it('sees an accepted request (so "unchanged" above means something)', async () => {
    const before = await dumpTree(h.zk);
    expect((await h.call('POST', '/api/v1/deployments', etcdRequest('accepted'))).status).toBe(201);
    const after = await dumpTree(h.zk);
    expect(Object.keys(after).length).toBeGreaterThan(Object.keys(before).length);
    expect(after['/deployments']!.pzxid).not.toBe(before['/deployments']!.pzxid);
  });
});
