/**
 * The constructor against a real ZooKeeper with fake allocators: create, grow and shrink, size
 * change, NoCapacity, timeout, delete. One constructor leads; the fake stack records membership.
 */
import { FAILURE_TYPES, STEP_IDS, paths, type PlanAttempt } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { type FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  ids,
  preparePlatform,
  readRoute,
  requestDelete,
  specsOf,
  startAllocators,
  startConstructor,
  statusIds,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(60_000);

const D = 'd1';
const fixture = useZooKeeper();

const stepIds = (a: PlanAttempt) => a.plan_attempt_log.map((s) => s.step_id);

describe('constructor lifecycle', () => {
  let zk: ZkSession;
  let stack: FakeClusterStack;
  let allocators: FakeAllocator[];
  let constructor: Constructor;

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
    stack = new FakeClusterStack();
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a', { behaviour: (s) => (s.memory_mb === 999 ? 'hang' : 'run') }],
      ['b1', 'zone-b', { behaviour: (s) => (s.memory_mb === 999 ? 'hang' : 'run') }],
      ['c1', 'zone-c', { behaviour: (s) => (s.memory_mb === 999 ? 'hang' : 'run') }],
    ]);
    constructor = await startConstructor(await fixture.session(), 'c-one', stack);
  });

  afterEach(async () => {
    await constructor.close();
    for (const a of allocators) await a.close();
  });

  async function createThree(): Promise<void> {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    const attempt = await waitForAttempt(zk, D, 'p-create');
    expect(attempt.status).toBe('success');
  }

  it('creates a 3-zone cluster: specs on 3 allocators in 3 zones, all started as a new cluster, and a route', async () => {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    const attempt = await waitForAttempt(zk, D, 'p-create');
    expect(attempt).toMatchObject({ status: 'success', healthy: true, leader: 'c-one' });
    expect(stepIds(attempt)).toEqual([
      STEP_IDS.validatePlanSafety,
      STEP_IDS.allocateInstances,
      STEP_IDS.startInstances,
      STEP_IDS.waitUntilRunning,
      STEP_IDS.updateRouting,
      STEP_IDS.planCompleted,
    ]);
    expect(attempt.plan_attempt_log.every((s) => s.status === 'success' && s.stage === 'completed')).toBe(
      true,
    );

    const specs = await specsOf(zk, D);
    expect(new Set(specs.map((s) => s.allocator_id))).toEqual(new Set(['a1', 'b1', 'c1']));
    expect(new Set(specs.map((s) => s.zone))).toEqual(new Set(['zone-a', 'zone-b', 'zone-c']));
    for (const s of specs) {
      expect(s).toMatchObject({ hold: false, generation: 2, memory_mb: 256 });
      expect(s.cluster.state).toBe('new');
      expect(s.cluster.members.map((m) => m.name).sort()).toEqual(ids(specs).sort());
    }
    expect(stack.joins).toEqual([]);

    const route = await readRoute(zk, D);
    expect(route?.instances.map((i) => i.instance_id)).toEqual(ids(specs));
    expect(route?.instances.every((i) => i.healthy && i.port >= 30000)).toBe(true);

    // plan/current := the plan; pending gone; the attempt is in history.
    expect((await zk.exists(`/deployments/${D}/plan/pending`)) === null).toBe(true);
    expect(JSON.parse((await zk.get(`/deployments/${D}/plan/current`)).data.toString()).plan_id).toBe(
      'p-create',
    );
    expect(await zk.children(`/deployments/${D}/plan/history`)).toHaveLength(1);
  });

  it('grows 3 → 5 one member at a time, then shrinks back to 3 keeping quorum', async () => {
    await createThree();
    const before = ids(await specsOf(zk, D));
    stack.failJoins = 2; // etcd refuses member add for a while: retried
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 5 }));
    const grown = await waitForAttempt(zk, D, 'p-grow');
    expect(grown.status).toBe('success');
    const five = await specsOf(zk, D);
    expect(five).toHaveLength(5);
    expect(ids(five).slice(0, 3)).toEqual(before);
    expect(stack.joins).toEqual([`${D}-main-3`, `${D}-main-4`]);
    // Each joiner started as `existing` with every member so far plus itself.
    const joiner = (id: string) => allocators.flatMap((a) => a.released).find((s) => s.instance_id === id)!;
    expect(joiner(`${D}-main-3`).cluster).toMatchObject({ state: 'existing' });
    expect(
      joiner(`${D}-main-3`)
        .cluster.members.map((m) => m.name)
        .sort(),
    ).toEqual([...before, `${D}-main-3`].sort());
    expect(joiner(`${D}-main-4`).cluster.members).toHaveLength(5);
    expect((await readRoute(zk, D))?.instances).toHaveLength(5);

    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-shrink', zoneCount: 3 }));
    const shrunk = await waitForAttempt(zk, D, 'p-shrink');
    expect(shrunk.status).toBe('success');
    expect(stepIds(shrunk)).toContain(STEP_IDS.leaveCluster);
    const three = await specsOf(zk, D);
    expect(three).toHaveLength(3);
    expect(new Set(three.map((s) => s.zone)).size).toBe(3);
    expect(stack.leaves).toHaveLength(2);
    expect(stack.leaveMemberCounts).toEqual([4, 3]);
    expect(stack.violations).toEqual([]);
    expect((await readRoute(zk, D))?.instances.map((i) => i.instance_id)).toEqual(ids(three));
    await waitFor(async () => (await statusIds(zk, D)).length === 3, {
      message: 'statuses of removed instances gone',
    });
  });

  it('replaces every instance on a size change: new ones join first, then the old ones leave', async () => {
    await createThree();
    const old = ids(await specsOf(zk, D));
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-resize', zoneCount: 3, memoryMb: 512 }));
    const attempt = await waitForAttempt(zk, D, 'p-resize');
    expect(attempt.status).toBe('success');
    const now = await specsOf(zk, D);
    expect(now.map((s) => s.memory_mb)).toEqual([512, 512, 512]);
    expect(ids(now).some((id) => old.includes(id))).toBe(false);
    expect(stack.joins).toHaveLength(3);
    expect(stack.leaves.sort()).toEqual([...old].sort());
    expect(stack.leaveMemberCounts.every((n) => n >= 3)).toBe(true);
  });

  it('fails with NoCapacity, touches nothing and keeps the old cluster routed', async () => {
    await createThree();
    const specsBefore = await specsOf(zk, D);
    const routeBefore = await readRoute(zk, D);
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-huge', zoneCount: 3, memoryMb: 1_000_000 }));
    const attempt = await waitForAttempt(zk, D, 'p-huge');
    expect(attempt.status).toBe('error');
    expect(attempt.error?.failure_type).toBe(FAILURE_TYPES.noCapacity);
    expect(attempt.error?.message).toMatch(/no capacity for instance .* \(1000000 MB\).*short by/);
    expect(attempt.plan_attempt_log.at(-1)).toMatchObject({
      step_id: STEP_IDS.planCompleted,
      status: 'error',
    });
    expect(await specsOf(zk, D)).toEqual(specsBefore);
    expect((await readRoute(zk, D))?.instances).toEqual(routeBefore?.instances);
    expect(JSON.parse((await zk.get(`/deployments/${D}/plan/current`)).data.toString()).plan_id).toBe(
      'p-create',
    );
    expect(await zk.exists(`/deployments/${D}/plan/pending`)).toBeNull();
  });

  it('rolls a size change one member at a time: each leaves, then its replacement joins', async () => {
    await createThree();
    const old = ids(await specsOf(zk, D));
    await submitPlan(
      zk,
      etcdPlanDoc(D, { planId: 'p-rolling', zoneCount: 3, memoryMb: 512, strategy: { rolling: {} } }),
    );
    const attempt = await waitForAttempt(zk, D, 'p-rolling');
    expect(attempt.error).toBeUndefined();
    expect(attempt.status).toBe('success');
    const group = [
      STEP_IDS.updateRouting,
      STEP_IDS.leaveCluster,
      STEP_IDS.removeInstances,
      STEP_IDS.waitUntilStopped,
      STEP_IDS.allocateInstances,
      STEP_IDS.startInstances,
      STEP_IDS.waitUntilRunning,
      STEP_IDS.migrateData,
      STEP_IDS.updateRouting,
    ];
    expect(stepIds(attempt)).toEqual([
      STEP_IDS.validatePlanSafety,
      ...group,
      ...group,
      ...group,
      STEP_IDS.planCompleted,
    ]);
    const now = await specsOf(zk, D);
    expect(now.map((s) => s.memory_mb)).toEqual([512, 512, 512]);
    expect(ids(now).some((id) => old.includes(id))).toBe(false);
    expect(stack.leaves).toEqual([...old].sort());
    // One member out at a time: two remain at every leave, and every join finds the other two.
    expect(stack.leaveMemberCounts).toEqual([2, 2, 2]);
    expect(stack.joins).toHaveLength(3);
  });

  it('times out, rolls back what it created and leaves the old cluster as it was', async () => {
    await createThree();
    const specsBefore = await specsOf(zk, D);
    // memory 999 makes the fake allocators never report the new instances running.
    await submitPlan(
      zk,
      etcdPlanDoc(D, { planId: 'p-slow', zoneCount: 3, memoryMb: 999, timeoutSeconds: 2 }),
    );
    const attempt = await waitForAttempt(zk, D, 'p-slow');
    expect(attempt.status).toBe('error');
    expect(attempt.error?.failure_type).toBe(FAILURE_TYPES.timeout);
    expect(stepIds(attempt)).toContain(STEP_IDS.rollback);
    expect(attempt.plan_attempt_log.find((s) => s.step_id === STEP_IDS.rollback)?.status).toBe('success');
    expect(await specsOf(zk, D)).toEqual(specsBefore);
    expect((await statusIds(zk, D)).sort()).toEqual(ids(specsBefore).sort());
    // The half-joined member was removed from the cluster again.
    expect(stack.leaves).toEqual(stack.joins);
    expect((await readRoute(zk, D))?.instances.map((i) => i.instance_id)).toEqual(ids(specsBefore));
  });

  it('delete removes the route, every instance and the whole deployment subtree', async () => {
    await createThree();
    // The claim an api's snapshot scheduler keeps for the deployment goes with it.
    await zk.mkdirp(paths.snapshotScheduleRoot());
    await zk.createJson(paths.snapshotSchedule(D), { schema_version: 1, slot: 1 });
    await requestDelete(zk, D);
    await waitFor(async () => (await zk.exists(`/deployments/${D}`)) === null, {
      timeoutMs: 20_000,
      message: 'deployment subtree deleted',
    });
    expect(await readRoute(zk, D)).toBeUndefined();
    expect(await specsOf(zk, D)).toEqual([]);
    expect(await statusIds(zk, D)).toEqual([]);
    expect(stack.leaves).toEqual([]); // a dissolving cluster needs no member removal
    expect(await zk.exists(paths.snapshotSchedule(D))).toBeNull();
  });
});
