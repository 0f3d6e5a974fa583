/**
 * `_move` of an allocator's instances (vacate) and of a deployment's instances, against a real
 * ZooKeeper: a good request writes one move plan per deployment (the current plan plus `move`,
 * `source.action: move`); every bad request is refused with a 4xx naming the field and leaves
 * the whole tree exactly as it was.
 */
import { parseDocument, paths } from '@wharf/model';
import { startZooKeeper, waitFor, type TestZooKeeper } from '@wharf/testkit';
import { startHarness, type Harness } from './helpers/harness';
import { advertisement, etcdRequest, instanceSpec } from './helpers/plans';
import { dumpTree, createJson } from './helpers/tree';

jest.setTimeout(30_000);

describe('instance moves', () => {
  let server: TestZooKeeper;
  let h: Harness;
  let d: string;

  const put = (path: string, value: unknown) => createJson(h.zk, path, value);
  const allocator = async (
    id: string,
    zone: string,
    memoryMb: number,
    o: { live?: boolean; maintenance?: boolean } = {},
  ) => {
    await put(paths.allocator(id), advertisement(id, zone, memoryMb, o.maintenance ?? false));
    await h.zk.mkdirp(paths.allocatorInstances(id));
    if (o.live !== false) await h.zk.create(paths.allocatorLive(id), undefined, 'ephemeral');
  };
  const spec = (allocatorId: string, zone: string, index: number, memoryMb = 512) =>
    put(
      paths.instanceSpec(allocatorId, `${d}-main-${index}`),
      instanceSpec(d, allocatorId, zone, index, memoryMb),
    );
  const pending = async () =>
    (await h.zk.exists(paths.planPending(d)))
      ? parseDocument('plan', (await h.zk.get(paths.planPending(d))).data)
      : undefined;

  beforeAll(async () => {
    server = await startZooKeeper();
    h = await startHarness(server.connectString, '/api-moves');
    d = (await h.call('POST', '/api/v1/deployments', etcdRequest('movable', 2))).body.id;
    // What the constructor leaves after applying the plan: current := pending, pending gone.
    const created = await h.zk.get(paths.planPending(d));
    await h.zk.transaction().create(paths.planCurrent(d), created.data).delete(paths.planPending(d)).commit();
    await allocator('a1', 'zone-a', 4096);
    await allocator('b1', 'zone-b', 4096);
    await allocator('c1', 'zone-c', 4096);
    await allocator('full', 'zone-c', 512);
    await allocator('maint', 'zone-c', 4096, { maintenance: true });
    await allocator('gone', 'zone-c', 4096, { live: false });
    await spec('a1', 'zone-a', 0);
    await spec('b1', 'zone-b', 1);
    await put(paths.instanceSpec('full', 'other-main-0'), {
      ...instanceSpec('other', 'full', 'zone-c', 0, 256),
      instance_id: 'other-main-0',
    });
    await waitFor(async () => {
      const { allocators } = (await h.call('GET', '/api/v1/platform/allocators')).body;
      return allocators.length === 6 && allocators.filter((a: any) => a.instances > 0).length === 3;
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  const BAD: [string, string, unknown, number, string, string][] = [
    ['unknown field', '/platform/allocators/a1/instances/_move', { foo: 1 }, 400, 'WHARF_BAD_REQUEST', 'foo'],
    [
      'instances not a list',
      '/platform/allocators/a1/instances/_move',
      { instances: 'x' },
      400,
      'WHARF_BAD_REQUEST',
      'instances',
    ],
    [
      'empty instances',
      '/platform/allocators/a1/instances/_move',
      { instances: [] },
      400,
      'WHARF_BAD_REQUEST',
      'instances',
    ],
    [
      'instance not on the allocator',
      '/platform/allocators/a1/instances/_move',
      { instances: ['nope-main-0'] },
      400,
      'WHARF_BAD_REQUEST',
      'instances[0]',
    ],
    [
      'bad target id',
      '/platform/allocators/a1/instances/_move',
      { target_allocators: ['Bad!'] },
      400,
      'WHARF_BAD_REQUEST',
      'target_allocators[0]',
    ],
    [
      'unknown target',
      '/platform/allocators/a1/instances/_move',
      { target_allocators: ['c1', 'zz9'] },
      400,
      'WHARF_BAD_REQUEST',
      'target_allocators[1]',
    ],
    [
      'target is the source',
      '/platform/allocators/a1/instances/_move',
      { target_allocators: ['a1'] },
      400,
      'WHARF_BAD_REQUEST',
      'target_allocators[0]',
    ],
    [
      'full target',
      '/platform/allocators/a1/instances/_move',
      { target_allocators: ['full'] },
      409,
      'WHARF_NO_CAPACITY',
      'target_allocators[0]',
    ],
    [
      'target in maintenance',
      '/platform/allocators/a1/instances/_move',
      { target_allocators: ['maint'] },
      409,
      'WHARF_CONFLICT',
      'target_allocators[0]',
    ],
    [
      'disconnected target',
      '/platform/allocators/a1/instances/_move',
      { target_allocators: ['gone'] },
      409,
      'WHARF_CONFLICT',
      'target_allocators[0]',
    ],
    ['unknown allocator', '/platform/allocators/zz9/instances/_move', {}, 404, 'WHARF_NOT_FOUND', 'id'],
    [
      'deployment move without instances',
      '/deployments/D/instances/_move',
      {},
      400,
      'WHARF_BAD_REQUEST',
      'instances',
    ],
    [
      'instance of another deployment',
      '/deployments/D/instances/_move',
      { instances: ['other-main-0'] },
      400,
      'WHARF_BAD_REQUEST',
      'instances[0]',
    ],
  ];

  it.each(BAD)(
    'refuses %s with a coded 4xx naming the field, writing nothing',
    async (_name, path, body, status, code, field) => {
      const before = await dumpTree(h.zk);
      const res = await h.call('POST', `/api/v1${path.replace('/D/', `/${d}/`)}`, body);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.details.map((x: any) => x.path)).toContain(field);
      expect(await dumpTree(h.zk)).toEqual(before);
    },
  );

  it('vacates an allocator: one move plan for its deployment, then refuses a second while it is pending', async () => {
    const res = await h.call('POST', '/api/v1/platform/allocators/a1/instances/_move', {
      target_allocators: ['c1'],
    });
    expect(res.status).toBe(202);
    expect(res.body.moves).toEqual([
      { deployment_id: d, instances: [`${d}-main-0`], plan_id: expect.any(String) },
    ]);
    const plan = await pending();
    expect(plan).toMatchObject({
      plan_id: res.body.moves[0].plan_id,
      source: { action: 'move' },
      move: { instances: [`${d}-main-0`], allocators: ['c1'] },
    });
    const current = parseDocument('plan', (await h.zk.get(paths.planCurrent(d))).data);
    expect(plan!.resources).toEqual(current.resources);

    const before = await dumpTree(h.zk);
    const again = await h.call('POST', `/api/v1/deployments/${d}/instances/_move`, {
      instances: [`${d}-main-1`],
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('WHARF_CONFLICT');
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('moves a listed instance of a deployment', async () => {
    await h.call('DELETE', `/api/v1/deployments/${d}/plan/pending`);
    const res = await h.call('POST', `/api/v1/deployments/${d}/instances/_move`, {
      instances: [`${d}-main-1`],
    });
    expect(res.status).toBe(202);
    expect((await pending())?.move).toEqual({ instances: [`${d}-main-1`] });
  });
});
