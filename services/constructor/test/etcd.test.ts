/**
 * The constructor with real etcd members (run by fake allocators through the etcd stack pack):
 * a new 3-member cluster, growth to 5 one `member add` at a time, shrink back to 3 by
 * `member remove`, with a key written before surviving every step.
 */
import { paths } from '@wharf/model';
import { etcdGet, etcdMemberList, etcdPut } from '@wharf/stacks';
import { useZooKeeper } from '@wharf/testkit';
import { type Constructor } from '../src/constructor';
import { resolveStacks } from '../src/stacks-adapter';
import { nullLogger } from '@wharf/observability';
import { type FakeAllocator } from './fake-allocator';
import { EtcdRunner } from './etcd-runner';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readRoute,
  specsOf,
  startAllocators,
  startConstructor,
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

  it('creates a cluster, grows it to 5 and shrinks it to 3 with the data intact', async () => {
    const zk = await fixture.session();
    await preparePlatform(zk);
    runner = new EtcdRunner();
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a', { runner }],
      ['b1', 'zone-b', { runner }],
      ['c1', 'zone-c', { runner }],
    ]);
    const etcd = resolveStacks(nullLogger)('etcd')!;
    constructor = await startConstructor(await fixture.session(), 'c-one', etcd);
    const endpoint = async () => {
      const route = await readRoute(zk, D);
      const i = route!.instances.find((x) => x.healthy)!;
      return `http://${i.host}:${i.port}`;
    };

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
});
