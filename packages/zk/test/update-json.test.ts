import { useZooKeeper } from '@wharf/testkit';
import { SKIP_UPDATE, updateJson, type ZkSession } from '@wharf/zk';

const zk = useZooKeeper();

async function increment(session: ZkSession, times: number): Promise<number> {
  let attempts = 0;
  for (let i = 0; i < times; i++) {
    const result = await updateJson<{ n: number }>(session, '/counter', (cur) => ({ n: (cur?.n ?? 0) + 1 }), {
      retries: 50,
      createIfMissing: true,
    });
    attempts += result.attempts;
  }
  return attempts;
}

describe('updateJson', () => {
  test('two clients × 200 increments lose no update', async () => {
    const a = await zk.session();
    const b = await zk.session();
    const [attemptsA, attemptsB] = await Promise.all([increment(a, 200), increment(b, 200)]);
    const { value, stat } = await a.getJson<{ n: number }>('/counter');
    expect(value.n).toBe(400);
    expect(stat.version).toBe(399); // created once, then 399 conditional writes
    // There was real contention: some attempts were retried.
    expect(attemptsA + attemptsB).toBeGreaterThan(400);
  }, 30_000);

  test('creates parents when missing, skips, and fails without createIfMissing', async () => {
    const s = await zk.session();
    await expect(updateJson(s, '/x/y', () => 1)).rejects.toMatchObject({ code: 'WHARF_ZK_NO_NODE' });
    const created = await updateJson<number>(s, '/x/y', (cur) => (cur ?? 0) + 5, { createIfMissing: true });
    expect(created).toMatchObject({ value: 5, written: true, attempts: 1 });
    const skipped = await updateJson<number>(s, '/x/y', () => SKIP_UPDATE);
    expect(skipped).toMatchObject({ value: 5, written: false });
    expect((await s.get('/x/y')).stat.version).toBe(0);
  });
});
