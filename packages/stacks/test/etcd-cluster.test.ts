/**
 * The acceptance test of the runtime + etcd pack: a real 3-member etcd cluster run through
 * ProcessRuntime, a key written and read over its HTTP API, a fourth member joined with the pack's
 * join hook (member add, then start as existing), an old member removed with the leave hook
 * (member remove, then stop), and the key still served by a survivor and by the new member.
 */
import { readFile } from 'node:fs/promises';
import { waitFor } from '@wharf/testkit';
import {
  etcdGet,
  etcdMemberList,
  etcdPut,
  etcdStatus,
  getStackPack,
  type MemberEndpoint,
  waitForHealthy,
} from '../src';
import { since, useEtcdMembers } from './helpers';

jest.setTimeout(90_000);

const DEPLOYMENT = 'etcdtest';
/** The whole scenario must finish well inside a plan step's budget. */
const SCENARIO_BUDGET_MS = 60_000;
const pack = getStackPack('etcd');

describe('etcd cluster through ProcessRuntime and the etcd pack', () => {
  const timings: Record<string, number> = {};
  const etcd = useEtcdMembers(DEPLOYMENT, 'etcd-cluster');

  afterAll(() => console.log(`etcd scenario timings (ms): ${JSON.stringify(timings)}`));

  it('bootstraps 3 members, joins a 4th, removes an old one, and keeps the data', async () => {
    const scenarioStart = Date.now();
    const members = await etcd.endpoints(4);
    const [m0, m1, m2, m3] = members as [MemberEndpoint, MemberEndpoint, MemberEndpoint, MemberEndpoint];

    // 1. A new 3-member cluster.
    let t = Date.now();
    const cluster = pack.bootstrap({
      deploymentId: DEPLOYMENT,
      nonce: `n${Date.now()}`,
      members: [m0, m1, m2],
    });
    expect(cluster.state).toBe('new');
    for (const m of [m0, m1, m2]) await etcd.start(m, cluster);
    await Promise.all([m0, m1, m2].map((m) => waitForHealthy(pack, m, { timeoutMs: 20_000 })));
    timings.bootstrap = since(t);

    await etcdPut(m0, 'greeting', 'hello');
    expect(await etcdGet(m1, 'greeting')).toBe('hello');
    expect(await etcdGet(m2, 'missing')).toBeNull();

    // 2. Join a fourth member: member add first, then start it as "existing" with the full list.
    t = Date.now();
    await pack.beforeJoin(cluster.members, m3, { timeoutMs: 30_000 });
    timings.memberAdd = since(t);
    // etcd 3.4 serves the member list from the asked member's own state, and the add may have
    // gone through another member (a retried add finds it there): m1 shows it once it applied it.
    const unstarted = await waitFor(
      async () =>
        (await etcdMemberList(m1)).find((m) => m.peerURLs.includes(`http://${m3.host}:${m3.ports.peer}`)),
      { timeoutMs: 10_000, message: 'm1 lists the added member' },
    );
    expect(unstarted).toMatchObject({ name: '' });
    // Repeating the hook (a resumed plan) adds nothing.
    await pack.beforeJoin(cluster.members, m3, { timeoutMs: 10_000 });
    const joined = pack.joining(cluster, m3);
    expect(joined.state).toBe('existing');
    await etcd.start(m3, joined);
    await waitForHealthy(pack, m3, { timeoutMs: 20_000 });
    timings.join = since(t);
    expect(await etcdGet(m3, 'greeting')).toBe('hello');
    expect((await etcdMemberList(m0)).map((m) => m.name).sort()).toEqual(members.map((m) => m.name).sort());

    // 3. Remove an old member, the leader (the hardest case: an election follows), member remove
    // first, then stop it.
    const status = await etcdStatus(m1);
    const byId = new Map((await etcdMemberList(m1)).map((m) => [m.id, m.name]));
    const leaving = [m0, m1, m2].find((m) => m.name === byId.get(status.leaderId)) ?? m0;
    const survivors = members.filter((m) => m !== leaving);
    const [s0, s1, s2] = survivors as [MemberEndpoint, MemberEndpoint, MemberEndpoint];
    t = Date.now();
    await pack.beforeLeave(joined.members, leaving, { timeoutMs: 30_000 });
    await etcd.runtime.stop(leaving.name, { timeoutMs: 5_000 });
    await pack.afterLeave(joined.members, leaving);
    await pack.beforeLeave(joined.members, leaving, { timeoutMs: 10_000 }); // idempotent
    timings.leave = since(t);
    expect((await etcd.runtime.inspect(leaving.name))?.state).toBe('exited');
    const remaining = await etcdMemberList(s0);
    expect(remaining.map((m) => m.name).sort()).toEqual(survivors.map((m) => m.name).sort());
    expect(survivors).toContain(m3);

    // 4. The data survived: read from an old survivor and from the new member; the cluster still writes.
    expect(await etcdGet(s0, 'greeting')).toBe('hello');
    expect(await etcdGet(m3, 'greeting')).toBe('hello');
    await etcdPut(m3, 'after', 'shrink');
    expect(await etcdGet(s1, 'after')).toBe('shrink');

    // 5. A verified snapshot from a survivor.
    t = Date.now();
    const snap = await pack.snapshot(s2, `${etcd.rootPath}/snapshot.db`);
    timings.snapshot = since(t);
    expect(snap.bytes).toBeGreaterThan(16_384);
    expect((await readFile(snap.file)).length).toBe(snap.bytes);

    // 6. the log of a member is readable through the runtime.
    expect(await etcd.runtime.logs(m3.name, { tail: 5_000 })).toContain(m3.name);

    timings.total = since(scenarioStart);
    expect(timings.total).toBeLessThan(SCENARIO_BUDGET_MS);
  });
});
