/**
 * Allocator loss against a real ZooKeeper: an allocator whose live node goes (its session closed,
 * as when its host dies) keeps "running, healthy" statuses nobody updates; after the grace the
 * leader marks its route entries unhealthy, keeps that across a leader failover, and restores them
 * when the allocator is live again. A live node back within the grace never flaps the route.
 */
import { paths, parseDocument } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readRoute,
  specsOf,
  startAllocators,
  startConstructor,
  waitForAttempt,
} from './harness';

jest.setTimeout(60_000);

const D = 'd1';
/** Short, but several route debounces (250 ms) long, so "not before the grace" is measurable. */
const GRACE_MS = 1_500;
/** Route debounce plus cache and write latency on a loaded test machine. */
const SLACK_MS = 2_500;
const fixture = useZooKeeper();

describe('allocator loss and route health', () => {
  let zk: ZkSession;
  let stack: FakeClusterStack;
  let allocators: FakeAllocator[];
  let b1Session: ZkSession;
  const constructors: Constructor[] = [];

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
    stack = new FakeClusterStack();
    b1Session = await fixture.session();
    allocators = [
      ...(await startAllocators(zk, [['a1', 'zone-a']])),
      ...(await startAllocators(b1Session, [['b1', 'zone-b']])),
      ...(await startAllocators(zk, [['c1', 'zone-c']])),
    ];
  });

  afterEach(async () => {
    for (const c of constructors.splice(0)) await c.close();
    for (const a of allocators) await a.close();
  });

  async function startLeader(id: string, session?: ZkSession): Promise<Constructor> {
    const c = await startConstructor(session ?? (await fixture.session()), id, stack, undefined, {
      allocatorLossGraceMs: GRACE_MS,
    });
    constructors.push(c);
    return c;
  }

  /** Creates a 3-instance deployment; returns the id of the instance placed on b1. */
  async function createThree(): Promise<string> {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    expect((await waitForAttempt(zk, D, 'p-create')).status).toBe('success');
    const route = await readRoute(zk, D);
    expect(route?.instances.map((i) => [i.allocator_id, i.healthy])).toEqual([
      ['a1', true],
      ['b1', true],
      ['c1', true],
    ]);
    return (await specsOf(zk, D)).find((s) => s.allocator_id === 'b1')!.instance_id;
  }

  /** healthy flag per allocator in the current route. */
  async function flags(): Promise<Record<string, boolean>> {
    const route = await readRoute(zk, D);
    return Object.fromEntries((route?.instances ?? []).map((i) => [i.allocator_id, i.healthy]));
  }

  /** Polls for `ms` and fails at the first route whose flags are not `expected`. */
  async function holds(expected: Record<string, boolean>, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      expect(await flags()).toEqual(expected);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function waitForFlags(expected: Record<string, boolean>, timeoutMs: number): Promise<void> {
    await waitFor(async () => JSON.stringify(await flags()) === JSON.stringify(expected), {
      timeoutMs,
      intervalMs: 25,
      message: `route flags ${JSON.stringify(expected)}`,
    });
  }

  const ALL_UP = { a1: true, b1: true, c1: true };
  const B1_DOWN = { a1: true, b1: false, c1: true };

  it('marks a lost allocator unroutable after the grace, keeps it across a failover, restores it on return', async () => {
    const leaderSession = await fixture.session();
    const leader = await startLeader('c-a', leaderSession);
    await waitFor(() => leader.state === 'leading', { message: 'c-a leads' });
    const standby = await startLeader('c-b');
    const victim = await createThree();

    // The host of b1 dies: its session (and so its live node) goes; its statuses stay.
    const lostAt = Date.now();
    await b1Session.close();
    await waitForFlags(B1_DOWN, GRACE_MS + SLACK_MS);
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(GRACE_MS);
    const status = parseDocument('instance-status', (await zk.get(paths.instanceStatus('b1', victim))).data);
    expect(status).toMatchObject({ state: 'running', healthy: true }); // stale, yet not routed to

    // Failover: the new leader's grace starts afresh, but it must not route to b1 meanwhile.
    await leaderSession.close();
    await waitFor(() => standby.state === 'leading', { message: 'c-b leads' });
    await holds(B1_DOWN, 2 * GRACE_MS);

    // b1 comes back (a new session re-registers live) with its instance still healthy.
    const back = new FakeAllocator(zk, 'b1', 'zone-b', {}, 31_000);
    allocators.push(back);
    await back.start();
    await waitForFlags(ALL_UP, SLACK_MS * 2);
  });

  it('a live node back within the grace does not flap the route; the grace restarts with each loss', async () => {
    await startLeader('c-a');
    await createThree();
    const b1 = allocators[1]!;

    await b1.dropLive(); // e.g. an allocator restart
    await holds(ALL_UP, GRACE_MS / 3);
    await b1.restoreLive();
    await holds(ALL_UP, GRACE_MS + 500);

    // A second loss is timed from when it happens, not from the first one.
    const lostAt = Date.now();
    await b1.dropLive();
    await waitForFlags(B1_DOWN, GRACE_MS + SLACK_MS);
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(GRACE_MS);
    await b1.restoreLive();
    await waitForFlags(ALL_UP, SLACK_MS);
  });

  it('a leader that fails during the grace: the new leader still takes the lost allocator down', async () => {
    const leaderSession = await fixture.session();
    const leader = await startLeader('c-a', leaderSession);
    await waitFor(() => leader.state === 'leading', { message: 'c-a leads' });
    const standby = await startLeader('c-b');
    await createThree();

    await allocators[1]!.dropLive();
    await holds(ALL_UP, GRACE_MS / 2);
    await leaderSession.close();
    await waitFor(() => standby.state === 'leading', { message: 'c-b leads' });
    // At most one more grace (timed from the new leader's first look) plus slack.
    await waitForFlags(B1_DOWN, GRACE_MS + SLACK_MS);
  });
});
