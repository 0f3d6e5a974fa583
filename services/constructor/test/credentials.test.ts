/**
 * `update-routing` turns a new cluster's client authentication on (the stack's `enableAuth`)
 * before the first route is written, with the create plan's id; a plan that changes an existing
 * cluster does not; a resource with `authentication: false` is told so; a failing call is
 * retried. Real ZooKeeper, fake allocators and a fake stack.
 */
import { useZooKeeper } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { type SecureContext } from '../src/stack-port';
import { type FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readRoute,
  startAllocators,
  startConstructor,
  submitPlan,
  waitForAttempt,
} from './harness';

jest.setTimeout(30_000);

const D = 'd1';
const fixture = useZooKeeper();

/** The fake stack with an `enableAuth` that records what it was told and whether a route existed. */
class SecuringStack extends FakeClusterStack {
  readonly secured: { planId: string; members: number; settings: unknown; routed: boolean }[] = [];
  failSecures = 0;

  constructor(private readonly zk: () => ZkSession) {
    super();
  }

  async enableAuth(ctx: SecureContext): Promise<boolean> {
    if (this.failSecures > 0) {
      this.failSecures--;
      throw new Error('etcdserver: request timed out');
    }
    const routed = (await readRoute(this.zk(), ctx.deploymentId)) !== undefined;
    this.secured.push({ planId: ctx.planId, members: ctx.members.length, settings: ctx.settings, routed });
    return ctx.settings.authentication !== false;
  }
}

describe('client authentication of new clusters', () => {
  let zk: ZkSession;
  let stack: SecuringStack;
  let allocators: FakeAllocator[];
  let constructor: Constructor;

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
    stack = new SecuringStack(() => zk);
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a'],
      ['b1', 'zone-b'],
      ['c1', 'zone-c'],
    ]);
    constructor = await startConstructor(await fixture.session(), 'c-one', stack);
  });

  afterEach(async () => {
    await constructor.close();
    for (const a of allocators) await a.close();
  });

  it('is turned on once, before the first route, with the create plan id; not by a later plan', async () => {
    stack.failSecures = 1;
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    const created = await waitForAttempt(zk, D, 'p-create');
    expect(created.status).toBe('success');
    expect(stack.secured).toEqual([{ planId: 'p-create', members: 3, settings: {}, routed: false }]);
    const routing = created.plan_attempt_log.find((s) => s.step_id === 'update-routing')!;
    expect(JSON.stringify(routing.info_log)).toContain('client authentication on');

    await submitPlan(zk, etcdPlanDoc(D, { planId: 'p-grow', zoneCount: 4 }));
    expect((await waitForAttempt(zk, D, 'p-grow')).status).toBe('success');
    expect(stack.secured).toHaveLength(1);
  });

  it('passes the resource settings: authentication false keeps the cluster open', async () => {
    const plan = etcdPlanDoc(D, { planId: 'p-open', zoneCount: 1, settings: { authentication: false } });
    await createDeployment(zk, plan);
    const created = await waitForAttempt(zk, D, 'p-open');
    expect(created.status).toBe('success');
    expect(stack.secured).toEqual([
      { planId: 'p-open', members: 1, settings: { authentication: false }, routed: false },
    ]);
    const routing = created.plan_attempt_log.find((s) => s.step_id === 'update-routing')!;
    expect(JSON.stringify(routing.info_log)).not.toContain('client authentication on');
  });
});
