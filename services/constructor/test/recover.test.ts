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
import { type Constructor } from '../src/constructor';
import { EtcdRunner } from './etcd-runner';
import { type FakeAllocator } from './fake-allocator';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  healthyEndpoint,
  preparePlatform,
  readAttempt,
  readRoute,
  specsOf,
  startAllocators,
  startEtcdConstructor,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(120_000);

const D = 'd1';
/** Short so the test takes seconds; production defaults to 10 s. */
const RECOVER_GRACE_MS = 2_000;
const fixture = useZooKeeper();

describe('recovery and moves with real etcd', () => {
  const runners = new Map<string, EtcdRunner>();
  let allocators: FakeAllocator[] = [];
  let constructor: Constructor | undefined;

  afterEach(async () => {
    await constructor?.close();
    for (const a of allocators) await a.close();
    for (const r of runners.values()) await r.close();
    runners.clear();
  });

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
    for (const [id] of layout) runners.set(id, new EtcdRunner());
    allocators = await startAllocators(
      zk,
      layout.map(([id, zone]) => [id, zone, { runner: runners.get(id)! }]),
    );
    constructor = await startEtcdConstructor(await fixture.session(), {
      allocatorRecoverGraceMs: recoverGraceMs,
    });
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
    const victim = allocators.find((a) => a.id === 'c1')!;
    await victim.close();
    runners.get('c1')!.kill();

    const recovered = await waitFor(
      async () => {
        const a = await readAttempt(zk, D);
        return a && a.plan_id.startsWith('recover-') && a.status !== 'running' ? a : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, message: 'a recover attempt to finish' },
    );
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
    const victim = allocators.find((a) => a.id === 'c1')!;
    await victim.close();
    runners.get('c1')!.kill();
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
    expect(runners.get('b1')!.running()).toEqual([]);
    const members = await etcdMemberList(await endpointOn(zk));
    expect(members.map((m) => m.name).sort()).toEqual(Object.values(after).sort());
    expect(await etcdGet(await endpointOn(zk), 'kept')).toBe('yes');
  });
});
