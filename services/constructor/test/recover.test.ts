/**
 * Host loss and moves with real etcd members (run by fake allocators, each with its own runner
 * so one "host" can die alone): an allocator's live node and its etcd member are killed at once,
 * and the constructor re-places the member on its own after the recovery grace — the dead
 * member removed from the cluster before the new one joins, the route on the new one, every key
 * written before still there. A move plan (what `_move` / vacate write) empties a live allocator.
 */
import { paths, parseDocument, type PlanDocument } from '@wharf/model';
import { etcdGet, etcdMemberList, etcdPut } from '@wharf/stacks';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { RECOVER_GRACE_MS, useEtcdHosts } from './etcd-hosts';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  healthyEndpoint,
  preparePlatform,
  readAttempt,
  readRoute,
  specsOf,
  submitPlan,
  waitForAttempt,
  waitForRecovery,
} from './harness';

jest.setTimeout(120_000);

const D = 'd1';
const fixture = useZooKeeper();

describe('recovery and moves with real etcd', () => {
  const hosts = useEtcdHosts();

  /** a1 (zone-a), b1 (zone-b), c1 and c2 (zone-c): the cluster takes a1, b1, c1; c2 is spare. */
  async function setUp(recoverGraceMs: number) {
    const zk = await fixture.session();
    await preparePlatform(zk);
    const layout: [string, string][] = [
      ['a1', 'zone-a'],
      ['b1', 'zone-b'],
      ['c1', 'zone-c'],
      ['c2', 'zone-c'],
    ];
    await hosts.start(zk, layout, await fixture.session(), recoverGraceMs);
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3, timeoutSeconds: 60 }));
    expect((await waitForAttempt(zk, D, 'p-create', 60_000)).status).toBe('success');
    return zk;
  }

  const endpointOn = (zk: ZkSession, not: string[] = []) => healthyEndpoint(zk, D, not);
  const byAllocator = async (zk: ZkSession) =>
    Object.fromEntries((await specsOf(zk, D)).map((s) => [s.allocator_id, s.instance_id]));

  it('re-places the member of a dead host on its own: full membership, routable, data intact', async () => {
    const zk = await setUp(RECOVER_GRACE_MS);
    expect(Object.keys(await byAllocator(zk)).sort()).toEqual(['a1', 'b1', 'c1']);
    for (let i = 0; i < 20; i++) await etcdPut(await endpointOn(zk), `before/${i}`, `v${i}`);
    const dead = (await byAllocator(zk)).c1!;

    // The host dies: its allocator stops (live node gone, statuses left as they were) and its
    // etcd member is SIGKILLed.
    await hosts.kill('c1');

    const recovered = await waitForRecovery(zk, D);
    expect(recovered.error).toBeUndefined();
    expect(recovered.status).toBe('success');
    const steps = recovered.plan_attempt_log.map((s) => s.step_id);
    expect(steps).toEqual(
      expect.arrayContaining(['allocate-instances', 'start-instances', 'plan-completed']),
    );
    const logged = JSON.stringify(recovered.plan_attempt_log);
    expect(logged).toContain('dead member removed before the join');

    // The plan says where it came from and why.
    const current = parseDocument('plan', (await zk.get(paths.planCurrent(D))).data) as PlanDocument;
    expect(current.source.action).toBe('recover');
    expect(current.source.reason).toContain('c1');
    expect(current.move?.instances).toEqual([dead]);

    // Same zone first: the spare in zone-c took it; never two members on one allocator.
    const after = await byAllocator(zk);
    expect(Object.keys(after).sort()).toEqual(['a1', 'b1', 'c2']);
    const route = await readRoute(zk, D);
    expect(route!.instances.map((i) => i.allocator_id).sort()).toEqual(['a1', 'b1', 'c2']);
    expect(route!.instances.every((i) => i.healthy)).toBe(true);
    const members = await etcdMemberList(await endpointOn(zk));
    expect(members.map((m) => m.name).sort()).toEqual(Object.values(after).sort());
    for (let i = 0; i < 20; i++) expect(await etcdGet(await endpointOn(zk), `before/${i}`)).toBe(`v${i}`);
    // Its spec is gone; the dead allocator removes the instance when it returns.
    expect(await zk.exists(paths.instanceSpec('c1', dead))).toBeNull();
  });

  it('does nothing with recovery disabled (grace 0): the dead member stays, unroutable', async () => {
    const zk = await setUp(0);
    await hosts.kill('c1');
    await waitFor(
      async () => ((await readRoute(zk, D))?.instances.some((i) => !i.healthy) ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 100, message: 'the dead member to be unroutable' },
    );
    await new Promise((r) => setTimeout(r, RECOVER_GRACE_MS * 2));
    expect(await zk.exists(paths.planPending(D))).toBeNull();
    expect((await readAttempt(zk, D))?.plan_id).toBe('p-create');
    expect(Object.keys(await byAllocator(zk)).sort()).toEqual(['a1', 'b1', 'c1']);
  });

  it('a move plan (vacate) empties a live allocator onto the listed target, data intact', async () => {
    const zk = await setUp(RECOVER_GRACE_MS);
    await etcdPut(await endpointOn(zk), 'kept', 'yes');
    const leaving = (await byAllocator(zk)).b1!;
    const current = parseDocument('plan', (await zk.get(paths.planCurrent(D))).data) as PlanDocument;
    await submitPlan(zk, {
      ...current,
      plan_id: 'p-vacate',
      source: { action: 'move', reason: 'vacate b1' },
      move: { instances: [leaving], allocators: ['c2'] },
    });
    const attempt = await waitForAttempt(zk, D, 'p-vacate', 60_000);
    expect(attempt.error).toBeUndefined();
    expect(attempt.status).toBe('success');
    const after = await byAllocator(zk);
    expect(Object.keys(after).sort()).toEqual(['a1', 'c1', 'c2']);
    expect(await zk.children(paths.allocatorInstances('b1'))).toEqual([]);
    expect(hosts.runners.get('b1')!.running()).toEqual([]);
    const members = await etcdMemberList(await endpointOn(zk));
    expect(members.map((m) => m.name).sort()).toEqual(Object.values(after).sort());
    expect(await etcdGet(await endpointOn(zk), 'kept')).toBe('yes');
  });
});
