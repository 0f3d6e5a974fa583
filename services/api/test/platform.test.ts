/**
 * What other services write, as the api shows it: allocators (capacity, liveness, maintenance),
 * proxies, service registrations, the constructor leader, a deployment's instances and its plan
 * activity. The znodes are written here the way those services would.
 */
import { parseDocument, paths } from '@wharf/model';
import { waitFor } from '@wharf/testkit';
import { useApiHarness } from './helpers/harness';
import { createJson } from './helpers/tree';
import {
  advertisement,
  etcdRequest,
  instanceSpec,
  instanceStatus,
  planAttempt,
  registration,
} from './helpers/plans';

jest.setTimeout(30_000);

/** A director's status as the director writes it: a 3-server quorum with one follower lagging. */
function directorStatus(id: string) {
  const at = '2026-12-06T10:00:00.000Z';
  return {
    schema_version: 1,
    id,
    enrol_address: '127.0.0.1:12500',
    ca_fingerprint: `sha256:${'ab'.repeat(32)}`,
    quorum: {
      healthy: true,
      servers: [
        { address: '127.0.0.1:2181', mode: 'leader', zxid: '0x10000002a', zxid_lag: 0 },
        { address: '127.0.0.2:2181', mode: 'follower', zxid: '0x100000028', zxid_lag: 2 },
        { address: '127.0.0.3:2181', mode: 'unreachable' },
      ],
      checked: at,
    },
    updated: at,
  };
}

describe('platform and observed state', () => {
  const { server, h } = useApiHarness('/api-platform');
  let deployment: string;

  const put = (path: string, value: unknown, mode: 'persistent' | 'ephemeral' = 'persistent') =>
    createJson(h.zk, path, value, mode);

  beforeAll(async () => {
    deployment = (await h.call('POST', '/api/v1/deployments', etcdRequest('observed'))).body.id;

    await put(paths.allocator('alloc-a'), advertisement('alloc-a', 'zone-a', 4096));
    await h.zk.create(paths.allocatorLive('alloc-a'), undefined, 'ephemeral');
    await put(
      paths.instanceSpec('alloc-a', `${deployment}-main-0`),
      instanceSpec(deployment, 'alloc-a', 'zone-a', 0, 512),
    );
    await put(paths.instanceSpec('alloc-a', 'other-main-0'), {
      ...instanceSpec('other', 'alloc-a', 'zone-a', 0, 256),
      instance_id: 'other-main-0',
    });
    await put(
      paths.instanceStatus('alloc-a', `${deployment}-main-0`),
      instanceStatus(deployment, 'alloc-a', 0),
    );
    await put(paths.allocator('alloc-b'), advertisement('alloc-b', 'zone-b', 2048, true));
    await put(
      paths.instanceSpec('alloc-b', `${deployment}-main-1`),
      instanceSpec(deployment, 'alloc-b', 'zone-b', 1, 512),
    );
    await h.zk.mkdirp(paths.allocatorStatuses('alloc-b'));
    await put(paths.allocator('alloc-c'), { broken: true });

    await put(paths.proxy('proxy-1'), registration('proxy-1', 'proxy', 9200), 'ephemeral');
    await put(paths.serviceLive('constructor', 'ctor-1'), registration('ctor-1', 'constructor'), 'ephemeral');
    await put(paths.serviceLive('constructor', 'ctor-2'), registration('ctor-2', 'constructor'), 'ephemeral');
    await h.zk.create(
      `${paths.constructorLeader()}/_c_00000000-0000-0000-0000-000000000002-latch-`,
      'ctor-2',
      'ephemeral_sequential',
    );
    await h.zk.create(
      `${paths.constructorLeader()}/_c_00000000-0000-0000-0000-000000000001-latch-`,
      'ctor-1',
      'ephemeral_sequential',
    );
    // Directors: one healthy status, one that does not parse (skipped), and the CA node (not a director).
    await put(paths.directorCa(), { cert_pem: 'not read by the api' });
    await put(paths.directorStatus('dir-1'), directorStatus('dir-1'), 'ephemeral');
    await put(paths.directorStatus('dir-2'), { id: 'dir-2', quorum: 'broken' }, 'ephemeral');
    // The api reads allocators from a watch-driven cache: wait until it has seen all of the above.
    await waitFor(async () => {
      const { allocators } = (await h.call('GET', '/api/v1/platform/allocators')).body;
      return allocators.length === 3 && allocators[0].instances === 2 && allocators[1].instances === 1;
    });
  }, 60_000);

  it('GET /platform summarises ZooKeeper, its quorum per director, live services, the leader and counts', async () => {
    const res = await h.call('GET', '/api/v1/platform');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      version: '0.0.0-test',
      zookeeper: { state: 'connected', connect_string: server.connectString, chroot: '/api-platform' },
      constructors: { leader: 'ctor-2', alive: 2 },
      allocators: { total: 3, connected: 1, maintenance: 1 },
      proxies: { total: 1 },
      deployments: { total: 1 },
    });
    expect(res.body.directors).toEqual([
      {
        id: 'dir-1',
        enrol_address: '127.0.0.1:12500',
        ca_fingerprint: directorStatus('dir-1').ca_fingerprint,
        quorum: directorStatus('dir-1').quorum,
        updated: directorStatus('dir-1').updated,
      },
    ]);
    expect(res.body.services.api.map((s: any) => s.id)).toEqual([res.body.id]);
    expect(res.body.services.constructor.map((s: any) => s.id).sort()).toEqual(['ctor-1', 'ctor-2']);
  });

  it('GET /platform/allocators shows capacity used by specs, liveness and maintenance', async () => {
    const { allocators } = (await h.call('GET', '/api/v1/platform/allocators')).body;
    expect(allocators.map((a: any) => a.id)).toEqual(['alloc-a', 'alloc-b', 'alloc-c']);
    expect(allocators[0]).toMatchObject({
      zone: 'zone-a',
      connected: true,
      maintenance: false,
      instances: 2,
      capacity: { memory_mb: 4096, used_memory_mb: 768, free_memory_mb: 3328, cpus: 2 },
      tags: { disk: 'ssd' },
    });
    expect(allocators[1]).toMatchObject({ connected: false, maintenance: true, instances: 1 });
    expect(allocators[2]).toMatchObject({ zone: null, connected: false, instances: 0 });
  });

  it('GET /platform/proxies lists registrations', async () => {
    const { proxies } = (await h.call('GET', '/api/v1/platform/proxies')).body;
    expect(proxies).toEqual([registration('proxy-1', 'proxy', 9200)]);
  });

  it('maintenance is a read-modify-write that keeps the rest of the advertisement', async () => {
    const before = parseDocument(
      'allocator-advertisement',
      (await h.zk.get(paths.allocator('alloc-a'))).data,
    );
    // alloc-a has instances: maintenance on it is guarded (hostile-input.test.ts), so force it.
    const forced = '/api/v1/platform/allocators/alloc-a/maintenance?force=true';
    const on = await h.call('PUT', forced, { enabled: true });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ id: 'alloc-a', maintenance: true });
    const node = await h.zk.get(paths.allocator('alloc-a'));
    expect(parseDocument('allocator-advertisement', node.data)).toEqual({ ...before, maintenance: true });

    const again = await h.call('PUT', forced, { enabled: true });
    expect(again.status).toBe(200);
    expect((await h.zk.get(paths.allocator('alloc-a'))).stat.mzxid).toBe(node.stat.mzxid);

    await h.call('PUT', '/api/v1/platform/allocators/alloc-a/maintenance', { enabled: false });
    expect(
      parseDocument('allocator-advertisement', (await h.zk.get(paths.allocator('alloc-a'))).data),
    ).toEqual(before);
    const unadvertised = await h.call('PUT', '/api/v1/platform/allocators/alloc-c/maintenance', {
      enabled: true,
    });
    expect(unadvertised.status).toBe(409);
  });

  it('a deployment shows its instances from specs and statuses, and is healthy only when all are', async () => {
    const shown = (await h.call('GET', `/api/v1/deployments/${deployment}`)).body;
    expect(shown.instances).toEqual([
      {
        instance_id: `${deployment}-main-0`,
        ref_id: 'main',
        topology_id: 'default',
        zone: 'zone-a',
        allocator_id: 'alloc-a',
        memory_mb: 512,
        state: 'running',
        stopped: false,
        healthy: true,
        host: '127.0.0.1',
        ports: { client: 20000, peer: 20100 },
        generation: 2,
      },
      expect.objectContaining({
        instance_id: `${deployment}-main-1`,
        allocator_id: 'alloc-b',
        state: null,
        healthy: false,
        host: null,
      }),
    ]);
    expect(shown.healthy).toBe(false);

    await h.zk.delete(paths.instanceSpec('alloc-b', `${deployment}-main-1`));
    const healthy = await waitFor(async () => {
      const body = (await h.call('GET', `/api/v1/deployments/${deployment}`)).body;
      return body.instances.length === 1 ? body : undefined;
    });
    expect(healthy.healthy).toBe(true);
  });

  it('activity lists the running attempt, then history newest first, bounded by size', async () => {
    const history = paths.planHistoryEntryPrefix(deployment);
    await h.zk.create(
      history,
      JSON.stringify(planAttempt(deployment, 'a-old', 'error', '2026-01-01T00:00:00.000Z')),
      'persistent_sequential',
    );
    await h.zk.create(
      history,
      JSON.stringify(planAttempt(deployment, 'a-mid', 'success', '2026-01-02T00:00:00.000Z')),
      'persistent_sequential',
    );
    await h.zk.create(
      paths.planAttempt(deployment),
      JSON.stringify(planAttempt(deployment, 'a-now', 'running', '2026-01-03T00:00:00.000Z')),
    );

    const activity = (await h.call('GET', `/api/v1/deployments/${deployment}/plan/activity`)).body;
    expect(activity.attempts.map((a: any) => a.plan_attempt_id)).toEqual(['a-now', 'a-mid', 'a-old']);
    expect(activity.attempts[2]).toMatchObject({
      status: 'error',
      error: { failure_type: 'ClusterFailure:NoCapacity' },
    });
    expect(activity.attempts[2].plan_attempt_log.at(-1).step_id).toBe('plan-completed');
    const bounded = (await h.call('GET', `/api/v1/deployments/${deployment}/plan/activity?size=2`)).body;
    expect(bounded.attempts.map((a: any) => a.plan_attempt_id)).toEqual(['a-now', 'a-mid']);

    let latest = (await h.call('GET', `/api/v1/deployments/${deployment}`)).body.plan.latest_attempt;
    expect(latest).toMatchObject({
      plan_attempt_id: 'a-now',
      status: 'running',
      step: 'validate-plan-safety',
    });
    await h.zk.delete(paths.planAttempt(deployment));
    latest = (await h.call('GET', `/api/v1/deployments/${deployment}`)).body.plan.latest_attempt;
    expect(latest).toMatchObject({
      plan_attempt_id: 'a-mid',
      status: 'success',
      healthy: true,
      failure_type: null,
    });
  });
});
