/**
 * A small simulated fleet on a real ZooKeeper: it writes the znodes a real allocator writes, answers
 * a hand-written spec with reserved → starting → running, and a lost host loses its live node only.
 */
import { SCHEMA_VERSION, parseDocument, paths, serializeDocument, type InstanceSpec } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { SimulatedFleet } from '../src/fleet';

jest.setTimeout(20_000);

const fixture = useZooKeeper();

function specFor(allocatorId: string, hold: boolean, generation: number): InstanceSpec {
  return {
    schema_version: SCHEMA_VERSION,
    instance_id: 'd1-main-0',
    deployment_id: 'd1',
    ref_id: 'main',
    topology_id: 'default',
    stack: 'http',
    version: '1.0',
    allocator_id: allocatorId,
    zone: 'zone-a',
    memory_mb: 128,
    hold,
    cluster: { token: 't', state: 'new', members: [] },
    plan_attempt_id: 'attempt-0',
    generation,
    created: '2024-01-01T00:00:00.000Z',
  };
}

async function statusOf(zk: ZkSession, allocator: string) {
  const path = paths.instanceStatus(allocator, 'd1-main-0');
  if (!(await zk.exists(path))) return undefined;
  return parseDocument('instance-status', (await zk.get(path)).data);
}

describe('SimulatedFleet', () => {
  let fleet: SimulatedFleet | undefined;
  afterEach(async () => fleet?.close());

  it('registers like real allocators, runs a spec through its statuses and loses a host', async () => {
    const zk = await fixture.session();
    fleet = new SimulatedFleet({
      connectString: fixture.connectString,
      chroot: fixture.chroot,
      count: 6,
      allocatorsPerSession: 4,
      startDelayMs: { min: 50, max: 50 },
    });
    await fleet.start();
    expect(fleet.stats()).toMatchObject({ allocators: 6, sessions: 2 });
    const ids = await zk.children(paths.allocators());
    expect(ids.sort()).toEqual(fleet.allocators.map((a) => a.id).sort());
    const first = fleet.allocators[0]!;
    const ad = parseDocument('allocator-advertisement', (await zk.get(paths.allocator(first.id))).data);
    expect(ad).toMatchObject({ id: first.id, zone: 'zone-a', maintenance: false });
    expect(await zk.exists(paths.allocatorLive(first.id))).not.toBeNull();
    expect(await zk.exists(paths.serviceLive('allocator', first.id))).not.toBeNull();

    const specPath = paths.instanceSpec(first.id, 'd1-main-0');
    await zk.create(specPath, serializeDocument('instance-spec', specFor(first.id, true, 1)));
    const reserved = await waitFor(async () => statusOf(zk, first.id), { message: 'reserved status' });
    expect(reserved).toMatchObject({ state: 'reserved', healthy: false, generation: 1 });
    expect(Object.keys(reserved.ports)).toEqual(['http']);

    await zk.set(specPath, serializeDocument('instance-spec', specFor(first.id, false, 2)), -1);
    const running = await waitFor(
      async () => ((await statusOf(zk, first.id))?.state === 'running' ? statusOf(zk, first.id) : undefined),
      { message: 'running status' },
    );
    expect(running).toMatchObject({ healthy: true, generation: 2, ports: reserved.ports });

    await fleet.loseHosts([first]);
    expect(await zk.exists(paths.allocatorLive(first.id))).toBeNull();
    expect(await zk.exists(paths.serviceLive('allocator', first.id))).toBeNull();
    expect(await statusOf(zk, first.id)).toMatchObject({ state: 'running' });
    expect(fleet.stats()).toMatchObject({ lost: 1, writeErrors: 0 });

    await zk.delete(specPath);
    expect(await statusOf(zk, first.id)).toMatchObject({ state: 'running' }); // nobody watches any more
  });
});
