import { RAW_TX_ERROR_TYPE, type RawTxResult, type ZkTxOp } from './transaction';
import { MAX_GROUP_BYTES, MAX_GROUP_UNITS, MAX_REGROUPS, TransactionBatcher } from './transaction-batcher';

/** ZooKeeper's MULTI result codes used here. */
const OK = 0;
const BAD_VERSION = -103;
const RUNTIME_INCONSISTENCY = -2;

const set = (path: string, version: number, bytes = 1): ZkTxOp => ({
  op: 'set',
  path,
  data: Buffer.alloc(bytes),
  version,
});

/** A fake server: a MULTI fails at the first op whose path is in `conflicts`. */
function fakeServer(conflicts: ReadonlySet<string> = new Set()) {
  const multis: (readonly ZkTxOp[])[] = [];
  const multi = (ops: readonly ZkTxOp[]): Promise<readonly RawTxResult[]> => {
    multis.push(ops);
    const bad = ops.findIndex((op) => conflicts.has(op.path));
    if (bad < 0) return Promise.resolve(ops.map((op) => ({ type: 5, path: op.path })));
    return Promise.resolve(
      ops.map((_, i) => ({
        type: RAW_TX_ERROR_TYPE,
        err: i < bad ? OK : i === bad ? BAD_VERSION : RUNTIME_INCONSISTENCY,
      })),
    );
  };
  return { multis, multi };
}

describe('TransactionBatcher', () => {
  test('writes of one turn go out as one MULTI; each caller gets its own slice', async () => {
    const server = fakeServer();
    const batcher = new TransactionBatcher(server.multi);
    const alone = jest.fn(() => Promise.resolve('alone'));
    const results = await Promise.all(
      ['/a', '/b', '/c'].map((p) => batcher.submit([set(p, 1)], alone, (r) => r[0]?.path)),
    );
    expect(results).toEqual(['/a', '/b', '/c']);
    expect(server.multis).toHaveLength(1);
    expect(server.multis[0]?.map((op) => op.path)).toEqual(['/a', '/b', '/c']);
    expect(alone).not.toHaveBeenCalled();
    expect(batcher.stats).toEqual({ units: 3, groups: 1, alone: 0, splits: 0 });
  });

  test('a unit of several ops (a transaction) keeps its ops together and in order', async () => {
    const server = fakeServer();
    const batcher = new TransactionBatcher(server.multi);
    const never = (): Promise<never> => Promise.reject(new Error('not alone'));
    const [one, tx] = await Promise.all([
      batcher.submit([set('/x', 0)], never, (r) => r.length),
      batcher.submit([set('/y', 0), set('/z', 0)], never, (r) => r.map((x) => x.path)),
    ]);
    expect(one).toBe(1);
    expect(tx).toEqual(['/y', '/z']);
  });

  test('a write alone in its turn is sent as it is, without a MULTI', async () => {
    const server = fakeServer();
    const batcher = new TransactionBatcher(server.multi);
    await expect(
      batcher.submit(
        [set('/a', 1)],
        () => Promise.resolve('own'),
        () => 'group',
      ),
    ).resolves.toBe('own');
    expect(server.multis).toHaveLength(0);
  });

  test("one unit's conflict fails only that unit", async () => {
    const server = fakeServer(new Set(['/b']));
    const batcher = new TransactionBatcher(server.multi);
    const lost = new Error('bad version');
    const aloneOf = (p: string) => () => (p === '/b' ? Promise.reject(lost) : Promise.resolve(`${p} alone`));
    const outcomes = await Promise.allSettled(
      ['/a', '/b', '/c'].map((p) => batcher.submit([set(p, 1)], aloneOf(p), () => 'grouped')),
    );
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: '/a alone' },
      { status: 'rejected', reason: lost },
      { status: 'fulfilled', value: '/c alone' },
    ]);
    expect(batcher.stats).toMatchObject({ groups: 1, splits: 1, alone: 3 });
  });

  test('a failed group is re-sent around its culprit: before it and after it as groups, it alone', async () => {
    const server = fakeServer(new Set(['/c']));
    const batcher = new TransactionBatcher(server.multi);
    const lost = new Error('bad version');
    const aloneOf = (p: string) => () => (p === '/c' ? Promise.reject(lost) : Promise.reject(new Error(p)));
    const names = ['/a', '/b', '/c', '/d', '/e'];
    const outcomes = await Promise.allSettled(
      names.map((p) => batcher.submit([set(p, 1)], aloneOf(p), (r) => r[0]?.path)),
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      '/a',
      '/b',
      'bad version',
      '/d',
      '/e',
    ]);
    expect(server.multis.map((m) => m.map((op) => op.path))).toEqual([names, ['/a', '/b'], ['/d', '/e']]);
    expect(batcher.stats).toEqual({ units: 5, groups: 3, alone: 1, splits: 1 });
  });

  test(`after ${MAX_REGROUPS} failed rounds the rest goes unit by unit, in order`, async () => {
    const conflicts = new Set(['/b', '/d', '/f', '/h']);
    const server = fakeServer(conflicts);
    const batcher = new TransactionBatcher(server.multi);
    const order: string[] = [];
    const aloneOf = (p: string) => () => {
      order.push(p);
      return conflicts.has(p) ? Promise.reject(new Error(`${p} lost`)) : Promise.resolve(`${p} alone`);
    };
    const names = ['/a', '/b', '/c', '/d', '/e', '/f', '/g', '/h'];
    const outcomes = await Promise.allSettled(
      names.map((p) => batcher.submit([set(p, 1)], aloneOf(p), (r) => r[0]?.path)),
    );
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      '/a alone',
      '/b lost',
      '/c alone',
      '/d lost',
      '/e alone',
      '/f lost',
      '/g alone',
      '/h lost',
    ]);
    expect(server.multis).toHaveLength(MAX_REGROUPS);
    expect(order).toEqual(names);
  });

  test('a MULTI that gets no answer rejects every unit with its error', async () => {
    const loss = new Error('connection loss');
    const batcher = new TransactionBatcher(() => Promise.reject(loss));
    const never = (): Promise<never> => Promise.reject(new Error('not alone'));
    const outcomes = await Promise.allSettled([
      batcher.submit([set('/a', 1)], never, () => 1),
      batcher.submit([set('/b', 1)], never, () => 2),
    ]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value))).toEqual([loss, loss]);
  });

  test('groups stay within the unit and byte limits, in submission order', async () => {
    const server = fakeServer();
    const batcher = new TransactionBatcher(server.multi);
    const never = (): Promise<never> => Promise.reject(new Error('not alone'));
    const count = MAX_GROUP_UNITS + 10;
    await Promise.all(
      Array.from({ length: count }, (_, i) => batcher.submit([set(`/n${i}`, 0)], never, () => i)),
    );
    expect(server.multis.map((m) => m.length)).toEqual([MAX_GROUP_UNITS, 10]);
    server.multis.length = 0;
    const big = Math.floor(MAX_GROUP_BYTES / 3);
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => batcher.submit([set(`/big${i}`, 0, big)], never, () => i)),
    );
    expect(server.multis.map((m) => m.map((op) => op.path))).toEqual([
      ['/big0', '/big1'],
      ['/big2', '/big3'],
    ]);
  });

  test('writes of the next turn form the next group', async () => {
    const server = fakeServer();
    const batcher = new TransactionBatcher(server.multi);
    const never = (): Promise<never> => Promise.reject(new Error('not alone'));
    await Promise.all([
      batcher.submit([set('/a', 0)], never, () => 0),
      batcher.submit([set('/b', 0)], never, () => 0),
    ]);
    await Promise.all([
      batcher.submit([set('/c', 0)], never, () => 0),
      batcher.submit([set('/d', 0)], never, () => 0),
    ]);
    expect(server.multis.map((m) => m.map((op) => op.path))).toEqual([
      ['/a', '/b'],
      ['/c', '/d'],
    ]);
  });
});
