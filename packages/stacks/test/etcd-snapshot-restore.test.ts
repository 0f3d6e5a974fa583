/**
 * etcd snapshot → logical restore against real etcd processes: a source member holding enough
 * keys for branch pages, values large enough for overflow pages, binary keys, overwrites and
 * deletes is snapshotted through the pack; a second, new member receives the restore and must
 * hold exactly the source's keys. A byte flipped in the file is refused before anything is written.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { etcdCall } from '../src/etcd/api';
import { getStackPack, type MemberEndpoint, waitForHealthy } from '../src';
import { freePorts, useEtcdMembers } from './helpers';

jest.setTimeout(60_000);

const HOST = '127.0.0.1';
const pack = getStackPack('etcd');
/** Enough keys that the `key` bucket spans branch pages. */
const KEY_COUNT = 1_500;
/** Larger than a 4 KiB page: stored in overflow pages. */
const BIG_VALUE_BYTES = 20_000;

async function allKeys(member: MemberEndpoint): Promise<Map<string, string>> {
  const zero = Buffer.from([0]).toString('base64');
  const answer = await etcdCall(member, '/v3/kv/range', { key: zero, range_end: zero });
  const kvs = (answer.kvs ?? []) as Array<{ key: string; value?: string }>;
  return new Map(kvs.map((kv) => [kv.key, kv.value ?? '']));
}

async function putMany(member: MemberEndpoint, entries: Array<[Buffer, Buffer]>): Promise<void> {
  for (let i = 0; i < entries.length; i += 100) {
    const success = entries.slice(i, i + 100).map(([key, value]) => ({
      request_put: { key: key.toString('base64'), value: value.toString('base64') },
    }));
    await etcdCall(member, '/v3/kv/txn', { success });
  }
}

describe('etcd snapshot and logical restore', () => {
  const etcd = useEtcdMembers('restore', 'etcd-restore');

  async function single(name: string, ports: number[]): Promise<MemberEndpoint> {
    const member = { name, host: HOST, ports: { client: ports[0]!, peer: ports[1]! } };
    const cluster = pack.bootstrap({ deploymentId: name, nonce: 'n1', members: [member] });
    await etcd.start(member, cluster, name);
    await waitForHealthy(pack, member, { timeoutMs: 20_000 });
    return member;
  }

  it('restores every live key, and refuses a damaged file before writing', async () => {
    const ports = await freePorts(4);
    const [source, target] = await Promise.all([
      single('restoresrc', ports.slice(0, 2)),
      single('restoredst', ports.slice(2, 4)),
    ]);
    const entries: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < KEY_COUNT; i++) entries.push([Buffer.from(`k/${i}`), Buffer.from(`v${i}`)]);
    entries.push([Buffer.from([0xff, 0x00, 0x01]), Buffer.from([0x00, 0xfe])]);
    entries.push([Buffer.from('big'), Buffer.alloc(BIG_VALUE_BYTES, 'x')]);
    await putMany(source, entries);
    await putMany(source, [[Buffer.from('k/5'), Buffer.from('overwritten')]]);
    await etcdCall(source, '/v3/kv/deleterange', { key: Buffer.from('k/7').toString('base64') });
    const expected = await allKeys(source);
    expect(expected.size).toBe(KEY_COUNT + 1);

    const file = `${etcd.rootPath}/snap.db`;
    const snap = await pack.snapshot(source, file);
    const verified = await pack.verifySnapshot(file);
    expect(verified.sha256).toBe(snap.sha256);

    // A flipped byte in the middle of the database: refused, and the target stays empty.
    const bytes = await readFile(file);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(damaged.length / 2)] = (damaged[Math.floor(damaged.length / 2)]! ^ 0xff) & 0xff;
    await writeFile(`${etcd.rootPath}/damaged.db`, damaged);
    await expect(pack.verifySnapshot(`${etcd.rootPath}/damaged.db`)).rejects.toMatchObject({
      code: 'WHARF_SNAPSHOT_CORRUPT',
    });
    await expect(pack.restore(`${etcd.rootPath}/damaged.db`, [target])).rejects.toMatchObject({
      code: 'WHARF_SNAPSHOT_CORRUPT',
    });
    expect((await allKeys(target)).size).toBe(0);

    const restored = await pack.restore(file, [target]);
    expect(restored.keys).toBe(expected.size);
    expect(await allKeys(target)).toEqual(expected);
    // Idempotent: a second run (a resumed restore) changes nothing.
    await pack.restore(file, [target]);
    expect(await allKeys(target)).toEqual(expected);
  });
});
