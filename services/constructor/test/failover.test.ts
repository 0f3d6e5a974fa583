/**
 * Leadership and liveness against a real ZooKeeper: a leader killed mid-attempt and a standby
 * resuming the same attempt, a cancelled plan rolling back, and route health following statuses.
 */
import { FAILURE_TYPES, STEP_IDS } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { type FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { TcpGate } from './tcp-gate';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  ids,
  preparePlatform,
  readAttempt,
  readRoute,
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

describe('constructor failover and liveness', () => {
  let zk: ZkSession;
  let stack: FakeClusterStack;
  let allocators: FakeAllocator[];
  let gateOpen: boolean;
  let hangFrom: number;
  const constructors: Constructor[] = [];

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
    stack = new FakeClusterStack();
    gateOpen = true;
    hangFrom = 3;
    // Instances of index ≥ hangFrom (3 unless a test moves it) hang while the gate is closed.
    const behaviour = (s: { instance_id: string }) =>
      gateOpen || Number(s.instance_id.split('-').at(-1)) < hangFrom ? 'run' : 'hang';
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a', { behaviour }],
      ['b1', 'zone-b', { behaviour }],
      ['c1', 'zone-c', { behaviour }],
    ]);
  });

  afterEach(async () => {
    for (const c of constructors.splice(0)) await c.close();
    for (const a of allocators) await a.close();
  });

  async function createThree(): Promise<void> {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    expect((await waitForAttempt(zk, D, 'p-create')).status).toBe('success');
  }

  function openGate(): void {
    gateOpen = true;
    for (const a of allocators) a.poke();
  }

  /** `c-a` leading on its own session `sessionA` (closing it is a crash), `c-b` standing by. */
  async function leaderAndStandby(): Promise<{ sessionA: ZkSession; standby: Constructor }> {
    const sessionA = await fixture.session();
    const leader = await startConstructor(sessionA, 'c-a', stack);
    constructors.push(leader);
    await waitFor(() => leader.state === 'leading', { message: 'c-a leads' });
    const standby = await startConstructor(await fixture.session(), 'c-b', stack);
    constructors.push(standby);
    return { sessionA, standby };
  }

  it('a standby resumes the attempt of a leader killed mid-plan and completes it', async () => {
    const { sessionA, standby } = await leaderAndStandby();
    expect(standby.state).toBe('standby');
    await createThree();

    gateOpen = false;
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 5 }));
    const midway = await waitFor(
      async () => {
        const a = await readAttempt(zk, D);
        const step = a?.plan_attempt_log.at(-1);
        return a?.plan_id === 'p-grow' &&
          step?.step_id === STEP_IDS.startInstances &&
          stack.joins.length === 1
          ? a
          : undefined;
      },
      { message: 'grow attempt waiting for its first joiner' },
    );
    expect(midway.leader).toBe('c-a');

    await sessionA.close(); // the leader "crashes": its session and latch node go away
    await waitFor(() => standby.state === 'leading', { message: 'c-b leads' });
    openGate();

    const done = await waitForAttempt(zk, D, 'p-grow');
    expect(done).toMatchObject({ status: 'success', leader: 'c-b', plan_attempt_id: midway.plan_attempt_id });
    const resumed = done.plan_attempt_log.find((s) => s.step_id === STEP_IDS.startInstances);
    expect(resumed?.info_log.map((l) => l.message)).toContain('step resumed');
    expect(await specsOf(zk, D)).toHaveLength(5);
    expect(stack.joins).toEqual([`${D}-main-3`, `${D}-main-4`]);
    expect((await readRoute(zk, D))?.instances).toHaveLength(5);
  });

  it('a standby resumes a rolling attempt in its second group: no member twice, none orphaned', async () => {
    const { sessionA, standby } = await leaderAndStandby();
    await createThree();

    // The first group's replacement (index 3) runs; the second's (index 4) hangs until the kill.
    hangFrom = 4;
    gateOpen = false;
    await submitPlan(
      zk,
      etcdPlanDoc(D, { planId: 'p-roll', zoneCount: 3, memoryMb: 512, strategy: { rolling: {} } }),
    );
    const midway = await waitFor(
      async () => {
        const a = await readAttempt(zk, D);
        return a?.plan_id === 'p-roll' &&
          a.plan_attempt_log.at(-1)?.step_id === STEP_IDS.startInstances &&
          stack.leaves.length === 2
          ? a
          : undefined;
      },
      { message: 'rolling attempt starting its second replacement' },
    );
    expect(midway.leader).toBe('c-a');

    await sessionA.close();
    await waitFor(() => standby.state === 'leading', { message: 'c-b leads' });
    openGate();

    const done = await waitForAttempt(zk, D, 'p-roll');
    expect(done).toMatchObject({ status: 'success', leader: 'c-b', plan_attempt_id: midway.plan_attempt_id });
    expect(done.plan_attempt_log.filter((s) => s.step_id === STEP_IDS.leaveCluster)).toHaveLength(3);
    expect(ids(await specsOf(zk, D))).toEqual([`${D}-main-3`, `${D}-main-4`, `${D}-main-5`]);
    expect(stack.leaves).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`]);
    expect(stack.joins).toEqual([`${D}-main-3`, `${D}-main-4`, `${D}-main-5`]);
    expect((await readRoute(zk, D))?.instances.map((i) => i.instance_id).sort()).toEqual([
      `${D}-main-3`,
      `${D}-main-4`,
      `${D}-main-5`,
    ]);
  });

  it('a leader cut off from ZooKeeper stops driving at once; the standby finishes the attempt', async () => {
    const gate = await TcpGate.start(Number(fixture.connectString.split(':')[1]));
    try {
      const first = await startConstructor(
        await fixture.session({ connectString: gate.address }),
        'c-a',
        stack,
      );
      constructors.push(first);
      await waitFor(() => first.state === 'leading', { message: 'c-a leads' });
      const second = await startConstructor(await fixture.session(), 'c-b', stack);
      constructors.push(second);
      await createThree();

      gateOpen = false;
      await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 5 }));
      await waitFor(async () => stack.joins.length === 1, { message: 'first joiner added' });

      const cutAt = Date.now();
      gate.cut();
      // Suspended → leadership dropped before the server even expires the session.
      await waitFor(() => first.state === 'standby', { timeoutMs: 5_000, message: 'c-a stops leading' });
      expect(second.state).toBe('standby');
      await waitFor(() => second.state === 'leading', { timeoutMs: 15_000, message: 'c-b leads' });
      expect(Date.now() - cutAt).toBeLessThan(15_000);
      openGate();
      gate.heal();

      const done = await waitForAttempt(zk, D, 'p-grow');
      expect(done).toMatchObject({ status: 'success', leader: 'c-b' });
      expect(stack.joins).toEqual([`${D}-main-3`, `${D}-main-4`]);
      expect(stack.violations).toEqual([]);
      expect(await specsOf(zk, D)).toHaveLength(5);
      // Back on the network with a new session, c-a queues behind c-b.
      await waitFor(async () => (await zk.children('/constructors/leader')).length === 2, {
        timeoutMs: 15_000,
        message: 'c-a back in the election',
      });
      expect(first.state).toBe('standby');
    } finally {
      for (const c of constructors.splice(0)) await c.close();
      await gate.close();
    }
  });

  it('registers itself and serves /health and /metrics; only the leader reports leading', async () => {
    const leader = await startConstructor(await fixture.session(), 'c-a', stack, 0);
    constructors.push(leader);
    await waitFor(() => leader.state === 'leading', { message: 'c-a leads' });
    const standby = await startConstructor(await fixture.session(), 'c-b', stack, 0);
    constructors.push(standby);
    expect((await zk.children('/services/constructor')).sort()).toEqual(['c-a', 'c-b']);
    const health = await fetch(`${leader.metricsUrl}/health`);
    expect(health.status).toBe(200);
    const metricsText = async (c: Constructor) => (await fetch(`${c.metricsUrl}/metrics`)).text();
    expect(await metricsText(leader)).toMatch(/^wharf_constructor_leader_state\{[^}]*\} 1$/m);
    expect(await metricsText(standby)).toMatch(/^wharf_constructor_leader_state\{[^}]*\} 0$/m);
    await createThree();
    expect(await metricsText(leader)).toMatch(
      /^wharf_constructor_attempts_total\{[^}]*outcome="success"[^}]*\} 1$/m,
    );
  });

  it('rolls back with ForcedRollback when the pending plan is cancelled', async () => {
    constructors.push(await startConstructor(await fixture.session(), 'c-a', stack));
    await createThree();
    const before = await specsOf(zk, D);
    gateOpen = false;
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-cancel', zoneCount: 4 }));
    await waitFor(async () => (await specsOf(zk, D)).length === 4, { message: 'new instance allocated' });
    await zk.delete(`/deployments/${D}/plan/pending`); // what the api does on DELETE .../plan/pending

    const attempt = await waitForAttempt(zk, D, 'p-cancel');
    expect(attempt.status).toBe('cancelled');
    expect(attempt.error?.failure_type).toBe(FAILURE_TYPES.cancelled);
    expect(attempt.plan_attempt_log.at(-1)).toMatchObject({
      step_id: STEP_IDS.planCompleted,
      status: 'error',
    });
    expect(await specsOf(zk, D)).toEqual(before);
    await waitFor(async () => (await statusIds(zk, D)).length === 3, { message: 'created instance stopped' });
    expect(JSON.parse((await zk.get(`/deployments/${D}/plan/current`)).data.toString()).plan_id).toBe(
      'p-create',
    );
  });

  it('marks a crashed instance unroutable in the route and routable again once healthy', async () => {
    constructors.push(await startConstructor(await fixture.session(), 'c-a', stack));
    await createThree();
    const [victim] = await specsOf(zk, D);
    const owner = allocators.find((a) => a.id === victim!.allocator_id)!;
    const flag = async () =>
      (await readRoute(zk, D))?.instances.find((i) => i.instance_id === victim!.instance_id)?.healthy;

    await owner.report(victim!.instance_id, { state: 'restarting', healthy: false });
    await waitFor(async () => (await flag()) === false, { timeoutMs: 5_000, message: 'instance unroutable' });
    const others = (await readRoute(zk, D))!.instances.filter((i) => i.instance_id !== victim!.instance_id);
    expect(others.every((i) => i.healthy)).toBe(true);

    await owner.report(victim!.instance_id, { state: 'running', healthy: true });
    await waitFor(async () => (await flag()) === true, {
      timeoutMs: 5_000,
      message: 'instance routable again',
    });
    expect(ids((await readRoute(zk, D))!.instances)).toHaveLength(3);
  });
});
