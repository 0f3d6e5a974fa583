/**
 * The real constructor against a simulated fleet (`@wharf/simulator`) on a real ZooKeeper: 50
 * allocators in 3 zones, 20 deployments (single-instance and three-zone) created at once. Every
 * deployment is placed exactly once, zone spread and anti-affinity hold, no allocator is filled
 * past its capacity, every instance runs, and after the deletes nothing is left behind.
 */
import { paths, parseDocument, type InstanceSpec, type PlanAttempt } from '@wharf/model';
import { SimulatedFleet, createDeployment, httpPlan, requestDelete } from '@wharf/simulator';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { preparePlatform, readAttempt, startConstructor } from './harness';

jest.setTimeout(30_000);

const fixture = useZooKeeper();
const ALLOCATORS = 50;
/** 128 MB instances on 256 MB allocators: two fit, so a capacity bug shows as a third. */
const CAPACITY_MB = 256;
const INSTANCE_MB = 128;
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const deployments = Array.from({ length: 20 }, (_, i) => ({ id: `fleet-${i}`, zones: i % 2 === 0 ? 1 : 3 }));

/** Every spec in the installation, read fresh. */
async function allSpecs(zk: ZkSession): Promise<InstanceSpec[]> {
  const out: InstanceSpec[] = [];
  for (const a of await zk.children(paths.allocators())) {
    for (const i of await zk.children(paths.allocatorInstances(a)).catch(() => [])) {
      out.push(parseDocument('instance-spec', (await zk.get(paths.instanceSpec(a, i))).data));
    }
  }
  return out;
}

async function statusCount(zk: ZkSession): Promise<number> {
  let n = 0;
  for (const a of await zk.children(paths.allocators()))
    n += (await zk.children(paths.allocatorStatuses(a)).catch(() => [])).length;
  return n;
}

async function attemptsDone(zk: ZkSession, planOf: (d: string) => string): Promise<PlanAttempt[]> {
  return waitFor(
    async () => {
      const attempts = await Promise.all(deployments.map((d) => readAttempt(zk, d.id)));
      const done = attempts.filter(
        (a): a is PlanAttempt =>
          a !== undefined && a.plan_id === planOf(a.deployment_id) && a.status !== 'running',
      );
      return done.length === deployments.length ? done : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200, message: 'every attempt to finish' },
  );
}

describe('constructor with a simulated fleet', () => {
  let fleet: SimulatedFleet;
  let constructor: Constructor;

  afterEach(async () => {
    await constructor?.close();
    await fleet?.close();
  });

  it('places and runs 20 deployments on 50 allocators, within capacity and spread, and deletes them cleanly', async () => {
    const zk = await fixture.session();
    await preparePlatform(zk);
    fleet = new SimulatedFleet({
      connectString: fixture.connectString,
      chroot: fixture.chroot,
      count: ALLOCATORS,
      zones: ZONES,
      capacityMb: CAPACITY_MB,
      allocatorsPerSession: 25,
      startDelayMs: { min: 20, max: 80 },
    });
    await fleet.start();
    // With group commit: the attempts' writes of one turn share MULTIs (`@wharf/zk` batcher).
    const session = await fixture.session();
    constructor = await startConstructor(
      session,
      'c-fleet',
      { routePort: 'http' },
      undefined,
      {},
      {
        groupCommit: true,
      },
    );

    await Promise.all(
      deployments.map((d) =>
        createDeployment(
          zk,
          httpPlan(d.id, { planId: `p-${d.id}`, zoneCount: d.zones, memoryMb: INSTANCE_MB }),
        ),
      ),
    );
    const created = await attemptsDone(zk, (d) => `p-${d}`);
    expect(created.filter((a) => a.status !== 'success').map((a) => a.deployment_id)).toEqual([]);

    const specs = await allSpecs(zk);
    for (const d of deployments) {
      const mine = specs.filter((s) => s.deployment_id === d.id);
      expect(mine).toHaveLength(d.zones); // placed exactly once: no duplicate or leftover spec
      expect(new Set(mine.map((s) => s.zone)).size).toBe(d.zones);
      expect(new Set(mine.map((s) => s.allocator_id)).size).toBe(d.zones);
      expect(mine.every((s) => !s.hold)).toBe(true);
    }
    const used = new Map<string, number>();
    for (const s of specs) used.set(s.allocator_id, (used.get(s.allocator_id) ?? 0) + s.memory_mb);
    expect(Math.max(...used.values())).toBeLessThanOrEqual(CAPACITY_MB);
    const expectedInstances = deployments.reduce((n, d) => n + d.zones, 0);
    expect(fleet.stats()).toMatchObject({ instances: expectedInstances, writeErrors: 0 });
    for (const d of deployments) {
      const route = parseDocument('route', (await zk.get(paths.route(d.id))).data);
      expect(route.instances.filter((i) => i.healthy)).toHaveLength(d.zones);
    }

    await Promise.all(deployments.map((d) => requestDelete(zk, d.id, `del-${d.id}`)));
    await waitFor(async () => (await zk.children(paths.deployments())).length === 0 || undefined, {
      timeoutMs: 20_000,
      intervalMs: 200,
      message: 'every deployment to be deleted',
    });
    expect(await allSpecs(zk)).toEqual([]);
    await waitFor(async () => (await statusCount(zk)) === 0 || undefined, {
      timeoutMs: 5_000,
      message: 'every status to be deleted',
    });
    expect(await zk.children(paths.routes())).toEqual([]);
    // The attempts' writes really went out grouped (and any conflict was split out, not failed).
    expect(session.groupCommitStats?.groups).toBeGreaterThan(0);
  });
});
