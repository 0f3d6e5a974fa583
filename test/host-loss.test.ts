/**
 * Host loss and vacate on a real platform (`wharf up --allocators 4`, every service a process,
 * the constructor's default 10 s recovery grace): a 3-zone etcd deployment under a steady write
 * load through the proxies loses a host — its runner and allocator frozen (SIGSTOP: to ZooKeeper
 * and to everyone else a dead host; nothing restarts them) and its etcd member SIGKILLed. With no
 * manual step the deployment is back to 3 members, routable, every acknowledged write readable.
 * The host then returns (SIGCONT): its allocator finds the dead instance's spec gone and removes
 * what is left of it without touching the replacement. Finally `wharf allocator vacate --track`
 * empties an allocator while the deployment stays healthy.
 */
import { startPlatform, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';
import {
  attempts,
  duplicates,
  liveServices,
  lostWrites,
  memberPids,
  report,
  sleep,
  startLoad,
  withZk,
} from './chaos/chaos-kit';
import { paths } from '@wharf/model';

jest.setTimeout(240_000);

/** Default grace (10 s) + the allocator's liveness session (3 s) + the attempt, with room for a busy box. */
const RECOVERY_TIMEOUT_MS = 90_000;
const KEYS = 30;

describe('host loss and vacate on a real platform', () => {
  let platform: Platform;
  let id: string;

  const instances = async () => (await platform.api('GET', `/deployments/${id}`)).body.instances as any[];
  const memberNames = async () => {
    const res = await platform.proxy(id, 'POST', '/v3/cluster/member/list', '{}');
    if (res.status !== 200) return undefined;
    return ((JSON.parse(res.body).members ?? []) as { name: string }[]).map((m) => m.name).sort();
  };
  const statusesOn = (allocator: string) =>
    withZk(platform, async (zk) =>
      zk.children(paths.allocatorStatuses(allocator)).catch(() => [] as string[]),
    );

  beforeAll(async () => {
    platform = await startPlatform({ upArgs: ['--allocators', '4'] });
    const created = await platform.api('POST', '/deployments', etcdPlan('survivor', 3));
    expect(created.status).toBe(201);
    id = created.body.id;
    expect((await waitForPlan(platform, id)).status).toBe('success');
    await eventually(() => etcdPutViaProxy(platform, id, 'warm', 'up'), 15_000, 'a put through the proxy');
    for (let i = 0; i < KEYS; i++) await etcdPutViaProxy(platform, id, `before/${i}`, `v${i}`);
  }, 180_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('a dead host: its member is re-placed on its own, data intact; the returning allocator removes what is superseded', async () => {
    const before = await instances();
    // host-3 runs an allocator only (hosts 1-2 are coordinators and proxies).
    const services = await liveServices(platform);
    const victimAllocator = services.find((s) => s.service === 'allocator' && s.host === 'host-3')!;
    const victim = before.find((i) => i.allocator_id === victimAllocator.id);
    expect(victim).toBeDefined();
    const runner = (await platform.services()).find((s) => s.service === 'runner' && s.host === 'host-3')!;
    const [member] = await memberPids(victim.instance_id);
    expect(member).toBeGreaterThan(0);

    const load = startLoad(platform, id, 'hostloss/', { failover: true });
    await sleep(2_000);
    const t0 = Date.now();
    process.kill(runner.pid, 'SIGSTOP');
    process.kill(victimAllocator.pid!, 'SIGSTOP');
    process.kill(member!, 'SIGKILL');
    let failover: number;
    try {
      failover = await eventually(
        async () => {
          const now = await instances();
          const names = await memberNames();
          const ok =
            now.length === 3 &&
            now.every((i) => i.healthy && i.allocator_id !== victimAllocator.id) &&
            names !== undefined &&
            JSON.stringify(names) === JSON.stringify(now.map((i) => i.instance_id).sort());
          return ok ? (Date.now() - t0) / 1000 : undefined;
        },
        RECOVERY_TIMEOUT_MS,
        'the deployment back to 3 healthy members off the dead host',
        100,
      );
      await sleep(2_000);
    } catch (err) {
      process.kill(runner.pid, 'SIGCONT');
      process.kill(victimAllocator.pid!, 'SIGCONT');
      await load.stop();
      throw err;
    }
    const result = await load.stop();
    report('host-loss', result, failover);
    process.stdout.write(`HOSTLOSS failover to full membership: ${failover.toFixed(1)} s\n`);

    // The recovery is an attempt of its own in the activity log, with its steps.
    const recover = (await attempts(platform, id)).find(
      (a) => a.status === 'success' && a.plan_attempt_log.some((s) => s.step_id === 'start-instances'),
    );
    expect(recover).toBeDefined();
    const plan = (await platform.api('GET', `/deployments/${id}/plan`)).body;
    expect(plan.current.source.action).toBe('recover');
    expect(plan.current.source.reason).toContain(victimAllocator.id);
    for (let i = 0; i < KEYS; i++)
      expect((await etcdGetViaProxy(platform, id, `before/${i}`)).value).toBe(`v${i}`);
    expect(await lostWrites(platform, id, 'hostloss/', result)).toEqual([]);

    // The host returns: its allocator removes the superseded instance, the new ones are untouched.
    const replaced = await instances();
    const pidsBefore = await Promise.all(replaced.map((i) => memberPids(i.instance_id)));
    expect(await statusesOn(victimAllocator.id)).toContain(victim.instance_id);
    process.kill(runner.pid, 'SIGCONT');
    process.kill(victimAllocator.pid!, 'SIGCONT');
    await eventually(
      async () => ((await statusesOn(victimAllocator.id)).length === 0 ? true : undefined),
      60_000,
      'the returning allocator to remove its superseded instance',
    );
    expect(await memberPids(victim.instance_id)).toEqual([]);
    expect((await instances()).map((i) => i.instance_id)).toEqual(replaced.map((i) => i.instance_id));
    expect(await Promise.all(replaced.map((i) => memberPids(i.instance_id)))).toEqual(pidsBefore);
    expect(await memberNames()).toEqual(replaced.map((i) => i.instance_id).sort());
    expect(await duplicates(platform, id)).toEqual([]);
  });

  it('wharf allocator vacate --track empties an allocator; the deployment stays healthy', async () => {
    const target = (await instances())[0];
    const allocator = target.allocator_id as string;
    const load = startLoad(platform, id, 'vacate/', { failover: true });
    await sleep(1_000);
    const t0 = Date.now();
    const out = await platform.cli(['allocator', 'vacate', allocator, '--track']);
    const seconds = (Date.now() - t0) / 1000;
    await sleep(1_000);
    const result = await load.stop();
    report('vacate', result, seconds);
    expect({ code: out.code, output: out.stdout + out.stderr }).toMatchObject({
      code: 0,
      output: expect.stringContaining(`allocator ${allocator}: vacated`),
    });
    const { allocators } = (await platform.api('GET', '/platform/allocators')).body;
    expect(allocators.find((a: any) => a.id === allocator).instances).toBe(0);
    const now = await instances();
    expect(now).toHaveLength(3);
    expect(now.every((i) => i.healthy && i.allocator_id !== allocator)).toBe(true);
    expect(await lostWrites(platform, id, 'vacate/', result)).toEqual([]);
    for (let i = 0; i < KEYS; i++)
      expect((await etcdGetViaProxy(platform, id, `before/${i}`)).value).toBe(`v${i}`);
  });
});
