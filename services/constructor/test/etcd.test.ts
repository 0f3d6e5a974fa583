/**
 * The constructor with real etcd members (run by fake allocators through the etcd stack pack):
 * a new 3-member cluster, growth to 5 one `member add` at a time, shrink back to 3 by
 * `member remove`, with a key written before surviving every step.
 */
import { paths, type PlanDocument } from '@wharf/model';
import { etcdGet, etcdMemberList, etcdPut } from '@wharf/stacks';
import { useZooKeeper } from '@wharf/testkit';
import { type Constructor } from '../src/constructor';
import { type FakeAllocator } from './fake-allocator';
import { EtcdRunner } from './etcd-runner';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  healthyEndpoint,
  preparePlatform,
  specsOf,
  startAllocators,
  startEtcdConstructor,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(120_000);

const D = 'd1';
const fixture = useZooKeeper();

describe('constructor with real etcd', () => {
  let runner: EtcdRunner;
  let allocators: FakeAllocator[] = [];
  let constructor: Constructor | undefined;

  afterEach(async () => {
    await constructor?.close();
    for (const a of allocators) await a.close();
    await runner.close();
  });

  /** Three allocators in three zones running real etcd members, and one constructor. */
  async function startPlatform() {
    const zk = await fixture.session();
    await preparePlatform(zk);
    runner = new EtcdRunner();
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a', { runner }],
      ['b1', 'zone-b', { runner }],
      ['c1', 'zone-c', { runner }],
    ]);
    constructor = await startEtcdConstructor(await fixture.session());
    const endpoint = () => healthyEndpoint(zk, D);
    return { zk, endpoint };
  }

  it('creates a cluster, grows it to 5 and shrinks it to 3 with the data intact', async () => {
    const { zk, endpoint } = await startPlatform();

    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3, timeoutSeconds: 60 }));
    expect((await waitForAttempt(zk, D, 'p-create', 60_000)).status).toBe('success');
    await etcdPut(await endpoint(), 'greeting', 'hello');
    expect(await etcdMemberList(await endpoint())).toHaveLength(3);

    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 5, timeoutSeconds: 90 }));
    const grown = await waitForAttempt(zk, D, 'p-grow', 100_000);
    expect(grown.error).toBeUndefined();
    expect(grown.status).toBe('success');
    expect(await etcdMemberList(await endpoint())).toHaveLength(5);
    expect(await etcdGet(await endpoint(), 'greeting')).toBe('hello');

    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-shrink', zoneCount: 3, timeoutSeconds: 60 }));
    expect((await waitForAttempt(zk, D, 'p-shrink', 60_000)).status).toBe('success');
    const remaining = await specsOf(zk, D);
    expect(remaining).toHaveLength(3);
    const members = await etcdMemberList(await endpoint());
    expect(members.map((m) => m.name).sort()).toEqual(remaining.map((s) => s.instance_id).sort());
    expect(await etcdGet(await endpoint(), 'greeting')).toBe('hello');
    expect(await zk.exists(paths.planPending(D))).toBeNull();
  });

  it('rolls a size change and a restart through a 3-member cluster one member at a time', async () => {
    const { zk, endpoint } = await startPlatform();
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3, timeoutSeconds: 60 }));
    expect((await waitForAttempt(zk, D, 'p-create', 60_000)).status).toBe('success');
    await etcdPut(await endpoint(), 'greeting', 'hello');

    // Sample the membership while the change runs: a rolling change never has more than one
    // member out (two of three remain, a quorum) and never grows past three.
    const counts: number[] = [];
    const roll = async (planId: string, extra: Partial<PlanDocument['resources']> = {}) => {
      const before = (await specsOf(zk, D)).map((s) => s.instance_id);
      const plan = etcdPlanDoc(D, {
        planId,
        zoneCount: 3,
        memoryMb: 300,
        strategy: { rolling: {} },
        timeoutSeconds: 90,
      });
      Object.assign(plan.resources, extra);
      await submitPlan(zk, plan);
      let done = false;
      const sampler = (async () => {
        while (!done) {
          try {
            counts.push((await etcdMemberList(await endpoint())).length);
          } catch {
            // the routed member may be the one leaving; the next sample asks another
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const attempt = await waitForAttempt(zk, D, planId, 100_000);
      done = true;
      await sampler;
      expect(attempt.error).toBeUndefined();
      expect(attempt.status).toBe('success');
      const after = (await specsOf(zk, D)).map((s) => s.instance_id);
      expect(after).toHaveLength(3);
      expect(after.some((id) => before.includes(id))).toBe(false);
      const members = await etcdMemberList(await endpoint());
      expect(members.map((m) => m.name).sort()).toEqual([...after].sort());
      expect(await etcdGet(await endpoint(), 'greeting')).toBe('hello');
      return attempt;
    };

    const resized = await roll('p-rolling');
    expect(resized.plan_attempt_log.filter((s) => s.step_id === 'leave-cluster')).toHaveLength(3);
    // A restart: the same plan with reallocate_instances replaces every member again, one by one.
    const restart = etcdPlanDoc(D, { zoneCount: 3, memoryMb: 300 }).resources;
    const etcdResource = (restart as { etcd: { plan: { transient?: Record<string, unknown> } }[] }).etcd[0]!;
    etcdResource.plan.transient = {
      strategy: { rolling: {} },
      plan_configuration: { timeout: 90, reallocate_instances: true },
    };
    await roll('p-restart', restart);
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
  });
});
