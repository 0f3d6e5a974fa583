/**
 * The path from a new plan to its members' release waits on no timer and reads nothing back that
 * the leader just wrote: a pending plan starts its attempt without the reconcile debounce, and
 * the held specs the attempt created are released with one conditional write each (no read).
 * Against a real ZooKeeper.
 */
import { parseDocument, paths, serializeDocument, type InstanceSpec } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { releaseSpec } from '../src/apply/spec-writes';
import { type Constructor } from '../src/constructor';
import { type FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc, specDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readAttempt,
  startAllocators,
  startConstructor,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(60_000);

const D = 'd1';
/** Far longer than the test waits for an attempt to start: only the plan's own event can start it. */
const LONG_DEBOUNCE_MS = 20_000;
const fixture = useZooKeeper();

describe('from a new plan to the release of its members', () => {
  let zk: ZkSession;
  let leaderSession: ZkSession;
  let allocators: FakeAllocator[];
  let constructor: Constructor | undefined;
  /** Paths the leader's session read without a watch (fresh reads, not the caches'). */
  let freshReads: string[];

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a'],
      ['b1', 'zone-b'],
      ['c1', 'zone-c'],
    ]);
    leaderSession = await fixture.session();
    freshReads = [];
    const get = leaderSession.get.bind(leaderSession);
    leaderSession.get = (path, watcher) => {
      if (!watcher) freshReads.push(path);
      return get(path, watcher);
    };
    constructor = await startConstructor(leaderSession, 'c-a', new FakeClusterStack(), undefined, {
      reconcileDebounceMs: LONG_DEBOUNCE_MS,
      resyncMs: 60_000,
    });
    await waitFor(() => constructor?.state === 'leading', { message: 'c-a leads' });
  });

  afterEach(async () => {
    await constructor?.close();
    for (const a of allocators) await a.close();
  });

  it('starts the attempt of a new plan, and of the next one, without waiting for the debounce', async () => {
    const began = Date.now();
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    await waitFor(async () => (await readAttempt(zk, D))?.plan_id === 'p-create', {
      timeoutMs: LONG_DEBOUNCE_MS / 4,
      intervalMs: 20,
      message: 'the attempt of p-create to start before the debounce ends',
    });
    expect(Date.now() - began).toBeLessThan(LONG_DEBOUNCE_MS / 4);
    expect((await waitForAttempt(zk, D, 'p-create')).status).toBe('success');
    // A plan replacing a finished one (plan/pending created again) starts as promptly.
    await waitFor(async () => (await zk.exists(paths.planPending(D))) === null, {
      message: 'p-create completed',
    });
    const next = Date.now();
    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 5 }));
    expect((await waitForAttempt(zk, D, 'p-grow', LONG_DEBOUNCE_MS / 4)).status).toBe('success');
    expect(Date.now() - next).toBeLessThan(LONG_DEBOUNCE_MS / 4);
    // And a new deployment created while the leader leads (its load long done).
    const third = Date.now();
    await createDeployment(zk, etcdPlanDoc('d3', { planId: 'p-d3', zoneCount: 3 }));
    expect((await waitForAttempt(zk, 'd3', 'p-d3', LONG_DEBOUNCE_MS / 4)).status).toBe('success');
    expect(Date.now() - third).toBeLessThan(LONG_DEBOUNCE_MS / 4);
  });

  it('releases the held specs it created without reading them back', async () => {
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    expect((await waitForAttempt(zk, D, 'p-create')).status).toBe('success');
    const specReads = freshReads.filter((p) => p.startsWith('/allocators/') && p.includes(`/${D}-`));
    expect(specReads).toEqual([]);
    for (const a of ['a1', 'b1', 'c1']) {
      const names = await zk.children(paths.allocatorInstances(a));
      for (const name of names) {
        const node = await zk.get(paths.instanceSpec(a, name));
        // Created at 0, released once at 1 (the allocator never writes a spec).
        expect(node.stat.version).toBe(1);
        expect(parseDocument('instance-spec', node.data)).toMatchObject({ hold: false, generation: 2 });
      }
    }
  });
});

describe('releaseSpec with the spec as created', () => {
  let zk: ZkSession;
  const path = paths.instanceSpec('a1', 'd2-main-0');
  const cluster = { token: 't', state: 'new' as const, members: [] };
  const held: InstanceSpec = specDoc('d2', 0, 'a1', 'zone-a', { hold: true, generation: 1 });

  beforeEach(async () => {
    zk = await fixture.session();
    await zk.mkdirp(paths.allocatorInstances('a1'));
    await zk.create(path, serializeDocument('instance-spec', held));
  });

  it('reads and decides afresh when the spec changed since it was created', async () => {
    // Someone else released it meanwhile (version 1, generation 2): nothing to do any more.
    const other = { ...held, hold: false, generation: 2, cluster: { ...cluster, token: 'other' } };
    await zk.set(path, serializeDocument('instance-spec', other), 0);
    const result = await releaseSpec(zk, 'a1', 'd2-main-0', cluster, held);
    expect(result).toMatchObject({ hold: false, generation: 2, cluster: { token: 'other' } });
    const node = await zk.get(path);
    expect(node.stat.version).toBe(1);
  });

  it('releases a spec still as created with one write at version 0', async () => {
    const reads: string[] = [];
    const get = zk.get.bind(zk);
    zk.get = (p, watcher) => (reads.push(p), get(p, watcher));
    const result = await releaseSpec(zk, 'a1', 'd2-main-0', cluster, held);
    expect(reads).toEqual([]);
    expect(result).toMatchObject({ hold: false, generation: 2, cluster: { token: 't' } });
    const node = await zk.get(path);
    expect(node.stat.version).toBe(1);
    expect(parseDocument('instance-spec', node.data)).toMatchObject({ hold: false, generation: 2 });
  });
});
