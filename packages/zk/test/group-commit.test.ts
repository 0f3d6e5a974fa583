import { isWharfError } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { type ZkTransactionFailureDetails } from '@wharf/zk';

const zk = useZooKeeper();

/** Writes issued in one turn (enough to need two groups' worth of one turn, not just one). */
const WRITERS = 300;

describe('ZkSession group commit (real ZooKeeper)', () => {
  test("one turn's writes commit as MULTIs; a lost compare-and-set fails only its own write", async () => {
    const s = await zk.session();
    await s.mkdirp('/gc');
    const names = Array.from({ length: WRITERS }, (_, i) => `/gc/n${i}`);
    await Promise.all(names.map((p) => s.create(p, 'v0')));
    s.enableGroupCommit();
    const stale = names[7]!;
    await s.set(stale, 'moved on', 0); // now at version 1: a write at version 0 loses
    const outcomes = await Promise.allSettled(names.map((p) => s.set(p, `v1 ${p}`, 0)));
    const rejected = outcomes.flatMap((o, i) =>
      o.status === 'rejected' ? [{ i, err: o.reason as unknown }] : [],
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.i).toBe(7);
    expect(isWharfError(rejected[0]?.err, 'WHARF_ZK_BAD_VERSION')).toBe(true);
    for (const [i, o] of outcomes.entries()) {
      if (i === 7) continue;
      expect(o).toMatchObject({ status: 'fulfilled', value: { version: 1 } });
    }
    const reads = await Promise.all(names.map((p) => s.get(p)));
    expect(reads[7]?.data.toString()).toBe('moved on');
    expect(reads[8]?.data.toString()).toBe(`v1 ${names[8]}`);
    expect(s.groupCommitStats).toMatchObject({ splits: 1 });
    expect(s.groupCommitStats?.groups).toBeGreaterThanOrEqual(1);

    // Without a conflict, the same turn's writes need no write of their own.
    const before = { ...s.groupCommitStats! };
    const stats = await Promise.all(names.map((p) => s.set(p, 'v2', 1)));
    expect(stats.every((st) => st.version === 2)).toBe(true);
    expect(s.groupCommitStats!.splits).toBe(before.splits);
    expect(s.groupCommitStats!.alone).toBe(before.alone);
    expect(s.groupCommitStats!.groups).toBeGreaterThan(before.groups);
  });

  test('creates, deletes and transactions in one turn keep their own results and errors', async () => {
    const s = await zk.session();
    await s.mkdirp('/mix');
    await s.create('/mix/exists', 'x');
    await s.create('/mix/gone', 'x');
    s.enableGroupCommit();
    const [created, sequential, duplicate, deleted, tx, badTx] = await Promise.allSettled([
      s.create('/mix/new', 'n'),
      s.create('/mix/item-', 's', 'persistent_sequential'),
      s.create('/mix/exists', 'again'),
      s.delete('/mix/gone'),
      s.transaction().check('/mix/exists', 0).set('/mix/exists', 'tx', 0).commit(),
      s.transaction().create('/mix/tx-child').check('/mix/exists', 9).commit(),
    ]);
    expect(created).toEqual({ status: 'fulfilled', value: '/mix/new' });
    expect(sequential).toMatchObject({
      status: 'fulfilled',
      value: expect.stringMatching(/^\/mix\/item-\d{10}$/),
    });
    expect(duplicate.status === 'rejected' && isWharfError(duplicate.reason, 'WHARF_ZK_NODE_EXISTS')).toBe(
      true,
    );
    expect(deleted).toEqual({ status: 'fulfilled', value: undefined });
    expect(tx).toMatchObject({
      status: 'fulfilled',
      value: [{ op: 'check' }, { op: 'set', stat: { version: 1 } }],
    });
    expect(badTx.status).toBe('rejected');
    const err = badTx.status === 'rejected' ? (badTx.reason as unknown) : undefined;
    expect(isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED')).toBe(true);
    expect((err as { details: ZkTransactionFailureDetails }).details.failedIndex).toBe(1);
    expect(await s.exists('/mix/tx-child')).toBeNull(); // its own transaction stayed all-or-nothing
    expect((await s.get('/mix/exists')).data.toString()).toBe('tx');
    expect(await s.exists('/mix/gone')).toBeNull();
  });

  test('many large replies in flight at once arrive whole (replies are split into frames)', async () => {
    const s = await zk.session();
    await s.mkdirp('/big');
    const sizes = [1, 3_000, 70_000, 500_000];
    const paths = Array.from({ length: 120 }, (_, i) => `/big/n${i}`);
    const payload = (i: number): Buffer => Buffer.alloc(sizes[i % sizes.length]!, i % 251);
    await Promise.all(paths.map((p, i) => s.create(p, payload(i))));
    for (let round = 0; round < 2; round++) {
      const reads = await Promise.all(paths.map((p) => s.get(p)));
      reads.forEach((node, i) => expect(node.data.equals(payload(i))).toBe(true));
    }
  });
});
