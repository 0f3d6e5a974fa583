import { etcdCreateRequest, httpResource } from '@wharf/testkit';
import { validateDocument, parseDocument, toDottedPath, serializeDocument } from './validate';
import { isWharfError } from './errors';
import { listResources, strategyOf } from './schemas/plan';

// The create request every case starts from (1 GB members, a 600 s grow-and-shrink plan).
const validPlan = () => etcdCreateRequest('orders', { memoryMb: 1024, timeoutSeconds: 600 });

type Mutation = [name: string, mutate: (p: any) => void, expectedPath: string];

const set = (path: (p: any) => any, key: string | number, value: unknown) => (p: any) => {
  path(p)[key] = value;
};
const topo = (p: any) => p.resources.etcd[0].plan.cluster_topology[0];
const plan = (p: any) => p.resources.etcd[0].plan;
const T = 'resources.etcd[0].plan.cluster_topology[0]';

const invalid: Mutation[] = [
  ['missing name', (p) => delete p.name, 'name'],
  ['name not a string', set((p) => p, 'name', 42), 'name'],
  ['empty name', set((p) => p, 'name', ''), 'name'],
  ['2 MB name', set((p) => p, 'name', 'x'.repeat(2 * 1024 * 1024)), 'name'],
  ['missing resources', (p) => delete p.resources, 'resources'],
  ['empty resources', set((p) => p, 'resources', {}), 'resources'],
  ['unknown stack', (p) => (p.resources.mysql = p.resources.etcd), 'resources.mysql'],
  ['resources not an object', set((p) => p, 'resources', []), 'resources'],
  ['missing ref_id', (p) => delete p.resources.etcd[0].ref_id, 'resources.etcd[0].ref_id'],
  ['ref_id with slash', set((p) => p.resources.etcd[0], 'ref_id', 'a/b'), 'resources.etcd[0].ref_id'],
  ['ref_id with dot-dot', set((p) => p.resources.etcd[0], 'ref_id', '..'), 'resources.etcd[0].ref_id'],
  ['ref_id too long', set((p) => p.resources.etcd[0], 'ref_id', 'a'.repeat(40)), 'resources.etcd[0].ref_id'],
  ['missing plan', (p) => delete p.resources.etcd[0].plan, 'resources.etcd[0].plan'],
  [
    'missing cluster_topology',
    (p) => delete plan(p).cluster_topology,
    'resources.etcd[0].plan.cluster_topology',
  ],
  ['empty cluster_topology', set(plan, 'cluster_topology', []), 'resources.etcd[0].plan.cluster_topology'],
  ['zone_count 0', set(topo, 'zone_count', 0), `${T}.zone_count`],
  ['zone_count fractional', set(topo, 'zone_count', 1.5), `${T}.zone_count`],
  ['zone_count a string', set(topo, 'zone_count', '3'), `${T}.zone_count`],
  ['negative size', (p) => (topo(p).size.value = -1024), `${T}.size.value`],
  ['size resource unknown', (p) => (topo(p).size.resource = 'cpu'), `${T}.size.resource`],
  ['missing size', (p) => delete topo(p).size, `${T}.size`],
  ['topology id with slash', set(topo, 'id', '../etc'), `${T}.id`],
  [
    'instance configuration id with slash',
    set(topo, 'instance_configuration_id', 'a/b'),
    `${T}.instance_configuration_id`,
  ],
  ['unknown topology field', set(topo, 'memory_per_node', 1024), `${T}.memory_per_node`],
  ['missing stack block', (p) => delete plan(p).etcd, 'resources.etcd[0].plan.etcd'],
  ['missing version', (p) => delete plan(p).etcd.version, 'resources.etcd[0].plan.etcd.version'],
  [
    'version with spaces',
    (p) => (plan(p).etcd.version = '3.4; rm -rf /'),
    'resources.etcd[0].plan.etcd.version',
  ],
  [
    'two strategies',
    (p) => (plan(p).transient.strategy = { grow_and_shrink: {}, rolling: {} }),
    'resources.etcd[0].plan.transient.strategy',
  ],
  ['empty strategy', (p) => (plan(p).transient.strategy = {}), 'resources.etcd[0].plan.transient.strategy'],
  [
    'unknown strategy',
    (p) => (plan(p).transient.strategy = { yolo: {} }),
    'resources.etcd[0].plan.transient.strategy.yolo',
  ],
  [
    'bad group_by',
    (p) => (plan(p).transient.strategy = { rolling: { group_by: 'x' } }),
    'resources.etcd[0].plan.transient.strategy.rolling.group_by',
  ],
  [
    'timeout 0',
    (p) => (plan(p).transient.plan_configuration.timeout = 0),
    'resources.etcd[0].plan.transient.plan_configuration.timeout',
  ],
  [
    '2 MB user setting',
    (p) => (plan(p).etcd.user_settings = { big: 'x'.repeat(2 * 1024 * 1024) }),
    'resources.etcd[0].plan.etcd.user_settings.big',
  ],
  ['unknown top-level field', set((p) => p, 'id', 'chosen-by-me'), 'id'],
];

describe('deployment create request', () => {
  it('accepts an ECE-shaped plan', () => {
    const result = validateDocument('deployment-create-request', validPlan());
    expect(result).toEqual({ ok: true, value: validPlan() });
  });

  it('accepts a plan without transient and an http resource beside etcd', () => {
    const p: any = validPlan();
    delete p.resources.etcd[0].plan.transient;
    p.resources.http = [
      httpResource('web', { command: ['/usr/bin/node', 'server.js'], health_path: '/healthz' }),
    ];
    expect(validateDocument('deployment-create-request', p).ok).toBe(true);
    expect(listResources(p.resources).map((r) => `${r.kind}/${r.ref_id}`)).toEqual(['etcd/main', 'http/web']);
    expect(strategyOf(p.resources.etcd[0].plan)).toBe('grow_and_shrink');
  });

  it.each(invalid)('rejects %s, naming the field', (_name, mutate, expectedPath) => {
    const p = validPlan();
    mutate(p);
    const result = validateDocument('deployment-create-request', p);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toContain(expectedPath);
    for (const e of result.errors) expect(e.message.length).toBeGreaterThan(0);
  });

  it('explains an unknown stack', () => {
    const p: any = validPlan();
    p.resources.mysql = [];
    const result = validateDocument('deployment-create-request', p);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toContainEqual({
        path: 'resources.mysql',
        message: "unknown stack 'mysql' (known: etcd, http)",
      });
  });

  it('bounds the number of reported errors', () => {
    const p: any = validPlan();
    p.resources.etcd[0].plan.cluster_topology = Array.from({ length: 16 }, () => ({
      id: '/',
      zone_count: 0,
    }));
    const result = validateDocument('deployment-create-request', p);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeLessThanOrEqual(20);
  });
});

describe('stored documents', () => {
  const route = {
    schema_version: 1,
    deployment_id: 'abc123',
    updated: '2026-11-22T00:00:00.000Z',
    instances: [
      {
        instance_id: 'abc123-main-0',
        allocator_id: 'alloc-1',
        ref_id: 'main',
        zone: 'zone-a',
        host: '127.0.0.1',
        port: 20000,
        healthy: true,
      },
    ],
  };

  it('round-trips through serialize and parse', () => {
    expect(parseDocument('route', serializeDocument('route', route as any))).toEqual(route);
  });

  it('refuses to serialize an invalid document (validate on write)', () => {
    expect(() => serializeDocument('route', { ...route, schema_version: 2 } as any)).toThrow(/invalid route/);
  });

  it('reports non-JSON data as WHARF_VALIDATION', () => {
    try {
      parseDocument('route', Buffer.from('{nope'));
      throw new Error('expected a throw');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
    }
  });
});

describe('toDottedPath', () => {
  it('formats JSON pointers', () => {
    expect(toDottedPath('/resources/etcd/0/plan/cluster_topology/1/size')).toBe(
      'resources.etcd[0].plan.cluster_topology[1].size',
    );
    expect(toDottedPath('')).toBe('');
  });
});

describe('api-key records', () => {
  const record = {
    schema_version: 1,
    id: 'k0123456789ab',
    name: 'ci',
    hash: `scrypt$32768$8$1$${'0'.repeat(64)}`,
    salt: '0'.repeat(32),
    created: '2026-11-22T00:00:00.000Z',
    roles: ['admin'],
  };

  it('accept an optional expiry instant, and records without one as before', () => {
    expect(validateDocument('api-key', record).ok).toBe(true);
    expect(validateDocument('api-key', { ...record, expires: '2026-11-23T00:00:00.000Z' }).ok).toBe(true);
    const bad = validateDocument('api-key', { ...record, expires: 'tomorrow' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['expires']);
  });
});

describe('input hygiene (issue 9)', () => {
  it.each([
    ['NUL and SOH', '\u0000\u0001'],
    ['an escape sequence', 'orders\u001b[2J'],
    ['a C1 control', 'orders\u0085'],
    ['a bidirectional override', 'sredro\u202E'],
    ['a line separator', 'a\u2028b'],
    ['a lone surrogate', 'a\ud800'],
    ['only spaces', '   '],
  ])('rejects a deployment name with %s', (_what, name) => {
    const result = validateDocument('deployment-create-request', { ...validPlan(), name });
    expect(result).toEqual({
      ok: false,
      errors: [{ path: 'name', message: 'must be printable text (no control characters) and not blank' }],
    });
  });

  it.each([
    ['plain', 'orders'],
    ['accents and emoji', 'Bestellungen – Zürich 🚀'],
    ['CJK', '注文'],
    ['inner spaces', 'my orders'],
  ])('accepts a %s name', (_what, name) => {
    expect(validateDocument('deployment-create-request', { ...validPlan(), name }).ok).toBe(true);
  });

  it('rejects a name over MAX_NAME_LENGTH', () => {
    const result = validateDocument('deployment-create-request', { ...validPlan(), name: 'x'.repeat(257) });
    expect(result.ok).toBe(false);
  });

  it('rejects a deployment with no resource in any stack', () => {
    for (const resources of [{ etcd: [] }, { etcd: [], http: [] }]) {
      const result = validateDocument('deployment-create-request', { name: 'orders', resources });
      expect(result).toEqual({
        ok: false,
        errors: [{ path: 'resources', message: expect.stringContaining('at least one resource') }],
      });
      expect(validateDocument('deployment-update-request', { resources }).ok).toBe(false);
    }
  });

  it('rejects a display name or tag with control characters', () => {
    const plan = validPlan() as any;
    plan.resources.etcd[0].display_name = 'main\u0007';
    expect(validateDocument('deployment-create-request', plan)).toMatchObject({
      ok: false,
      errors: [{ path: 'resources.etcd[0].display_name' }],
    });
    const tagged = { ...validPlan(), metadata: { tags: [{ key: 'team', value: 'a\u0000' }] } };
    expect(validateDocument('deployment-create-request', tagged)).toMatchObject({
      ok: false,
      errors: [{ path: 'metadata.tags[0].value' }],
    });
  });
});
