/**
 * The leader does not read its own attempt saves back (the attempt node is not watched while
 * leading), and a write to the attempt by someone else (a deposed leader's late save) is still
 * taken in: the leader's next versioned write fails, it reads the attempt fresh and carries on.
 * Against a real ZooKeeper.
 */
import { STEP_IDS, paths, serializeDocument } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { type FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readAttempt,
  specsOf,
  startAllocators,
  startConstructor,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(60_000);

const D = 'd1';
const ATTEMPT = paths.planAttempt(D);
const fixture = useZooKeeper();

describe('the leader and its own attempt writes', () => {
  let zk: ZkSession;
  let leaderSession: ZkSession;
  let allocators: FakeAllocator[];
  let constructor: Constructor | undefined;
  let gateOpen: boolean;
  /** getData calls of the leader's session on the attempt node, with or without a watch. */
  let attemptReads: string[];

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
    gateOpen = true;
    // Instances of index ≥ 3 hang while the gate is closed.
    const behaviour = (s: { instance_id: string }) =>
      gateOpen || Number(s.instance_id.split('-').at(-1)) < 3 ? 'run' : 'hang';
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a', { behaviour }],
      ['b1', 'zone-b', { behaviour }],
      ['c1', 'zone-c', { behaviour }],
    ]);
    leaderSession = await fixture.session();
    attemptReads = [];
    const get = leaderSession.get.bind(leaderSession);
    leaderSession.get = (path, watcher) => {
      if (path === ATTEMPT) attemptReads.push(watcher ? 'get +watch' : 'get');
      return get(path, watcher);
    };
    constructor = await startConstructor(leaderSession, 'c-a', new FakeClusterStack());
    await waitFor(() => constructor?.state === 'leading', { message: 'c-a leads' });
  });

  afterEach(async () => {
    await constructor?.close();
    for (const a of allocators) await a.close();
  });

  it('saves the attempt several times and reads it back at most once, never watched', async () => {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    expect((await waitForAttempt(zk, D, 'p-create')).status).toBe('success');
    const saves = (await zk.exists(ATTEMPT))?.version ?? 0;
    expect(saves).toBeGreaterThanOrEqual(3); // created at 0, saved and completed since
    // The node's creation is seen through plan's child watch and read once, without a watch;
    // watching it read every save back (one getData with a watch per save).
    expect(attemptReads.length).toBeLessThanOrEqual(1);
    expect(attemptReads).not.toContain('get +watch');
  });

  it("takes in another writer's save: its next write fails, it reads fresh and completes", async () => {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    await waitForAttempt(zk, D, 'p-create');
    gateOpen = false;
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 5 }));
    const midway = await waitFor(
      async () => {
        const a = await readAttempt(zk, D);
        return a?.plan_id === 'p-grow' && a.plan_attempt_log.at(-1)?.step_id === STEP_IDS.startInstances
          ? a
          : undefined;
      },
      { message: 'grow attempt waiting in start-instances' },
    );
    // A deposed leader's late save: the same attempt, another leader, the version moves on.
    const before = await zk.get(ATTEMPT);
    await zk.set(
      ATTEMPT,
      serializeDocument('plan-attempt', { ...midway, leader: 'c-old' }),
      before.stat.version,
    );
    const readsBefore = attemptReads.length;
    gateOpen = true;
    for (const a of allocators) a.poke();

    const done = await waitForAttempt(zk, D, 'p-grow');
    expect(done).toMatchObject({ status: 'success', leader: 'c-a', plan_attempt_id: midway.plan_attempt_id });
    // The leader saw the foreign write by reading the attempt fresh (not through a watch) …
    expect(attemptReads.slice(readsBefore)).toContain('get');
    expect(attemptReads).not.toContain('get +watch');
    // … and resumed it rather than starting over: one attempt, every instance placed once.
    const resumed = done.plan_attempt_log.filter((s) => s.info_log.some((l) => l.message === 'step resumed'));
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(await specsOf(zk, D)).toHaveLength(5);
  });
});
