/**
 * `migrateData` of the etcd pack on a real 3-member cluster (ProcessRuntime): a fourth member
 * joins a cluster holding a few MB, and the hook resolves only once the new member has applied the
 * leader's raft index as of the call — checked against the member's own status and by a local
 * (serializable) read of the last key written before the hook. The http pack's hook is a no-op.
 */
import { etcdPut, etcdStatus, getStackPack, type MemberEndpoint, waitForHealthy } from '../src';
import { useEtcdMembers } from './helpers';

jest.setTimeout(90_000);

const DEPLOYMENT = 'etcdmig';
const HOST = '127.0.0.1';
/** Enough data that a joining member needs a moment to catch up: 400 × 8 KiB ≈ 3 MiB. */
const KEYS = 400;
const VALUE = 'x'.repeat(8 * 1024);
const pack = getStackPack('etcd');

/** A local read on `member` only (no leader round trip): what it holds itself. */
async function localGet(member: MemberEndpoint, key: string): Promise<string | undefined> {
  const res = await fetch(`http://${member.host}:${member.ports.client}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64'), serializable: true }),
  });
  const kv = ((await res.json()) as { kvs?: { value: string }[] }).kvs?.[0];
  return kv && Buffer.from(kv.value, 'base64').toString();
}

describe('etcd migrate-data hook', () => {
  const etcd = useEtcdMembers(DEPLOYMENT, 'etcd-migrate');

  it('resolves once the joined member has applied the leader index', async () => {
    const members = await etcd.endpoints(4);
    const old = members.slice(0, 3);
    const joining = members[3]!;
    const cluster = pack.bootstrap({ deploymentId: DEPLOYMENT, nonce: `n${Date.now()}`, members: old });
    for (const m of old) await etcd.start(m, cluster);
    await Promise.all(old.map((m) => waitForHealthy(pack, m, { timeoutMs: 20_000 })));
    for (let i = 0; i < KEYS; i++) await etcdPut(old[i % 3]!, `k${i}`, VALUE);
    await etcdPut(old[0]!, 'last', 'written-before-the-hook');

    await pack.beforeJoin(old, joining, { timeoutMs: 30_000 });
    await etcd.start(joining, pack.joining(cluster, joining));
    const leaderIndexBefore = Math.max(
      ...(await Promise.all(old.map(async (m) => (await etcdStatus(m)).raftIndex))),
    );

    const result = await pack.migrateData(old, joining, { timeoutMs: 30_000 });
    const status = await etcdStatus(joining);
    expect(result.targetIndex).toBeGreaterThanOrEqual(leaderIndexBefore);
    expect(result.reachedIndex).toBeGreaterThanOrEqual(result.targetIndex);
    expect(status.raftAppliedIndex).toBeGreaterThanOrEqual(result.targetIndex);
    // dbSize is the backend file as last committed (batched every 100 ms), so only roughly the data.
    expect(result.bytes).toBeGreaterThan(0);
    expect(await localGet(joining, 'last')).toBe('written-before-the-hook');

    // Idempotent: asking again answers at once.
    const again = await pack.migrateData(old, joining, { timeoutMs: 5_000 });
    expect(again.reachedIndex).toBeGreaterThanOrEqual(again.targetIndex);
  });

  it('has nothing to migrate for the http stack', async () => {
    const http = getStackPack('http');
    const m: MemberEndpoint = { name: 'h-0', host: HOST, ports: { http: 1 } };
    await expect(http.migrateData([m], m)).resolves.toEqual({ targetIndex: 0, reachedIndex: 0, bytes: 0 });
  });
});
