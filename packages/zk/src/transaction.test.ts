import { isWharfError } from '@wharf/model';
import {
  interpretTxResults,
  RAW_TX_ERROR_TYPE,
  ZkTransaction,
  type RawTxResult,
  type ZkTxOp,
} from './transaction';

const ops: ZkTxOp[] = [
  { op: 'create', path: '/a', data: Buffer.from('x'), mode: 'persistent' },
  { op: 'check', path: '/b', version: 3 },
  { op: 'delete', path: '/c', version: -1 },
];

describe('interpretTxResults', () => {
  test('maps success results', () => {
    const raw: RawTxResult[] = [{ type: 1, path: '/a' }, { type: 13 }, { type: 2 }];
    expect(interpretTxResults(ops, raw)).toEqual([
      { op: 'create', path: '/a', createdPath: '/a' },
      { op: 'check', path: '/b' },
      { op: 'delete', path: '/c' },
    ]);
  });

  test('a failure names the culprit, rolled-back and skipped ops', () => {
    const raw: RawTxResult[] = [
      { type: RAW_TX_ERROR_TYPE, err: 0 },
      { type: RAW_TX_ERROR_TYPE, err: -103 },
      { type: RAW_TX_ERROR_TYPE, err: -2 },
    ];
    let err: unknown;
    try {
      interpretTxResults(ops, raw);
    } catch (e) {
      err = e;
    }
    expect(isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED')).toBe(true);
    expect((err as { details: unknown }).details).toEqual({
      failedIndex: 1,
      results: [
        { op: 'create', path: '/a', status: 'rolledBack', zk: 'OK' },
        { op: 'check', path: '/b', status: 'failed', zk: 'BAD_VERSION', code: 'WHARF_ZK_BAD_VERSION' },
        { op: 'delete', path: '/c', status: 'skipped', zk: 'RUNTIME_INCONSISTENCY' },
      ],
    });
  });
});

describe('ZkTransaction', () => {
  test('records ops, enforces the size limit on the total and commits once', async () => {
    const sent: (readonly ZkTxOp[])[] = [];
    const tx = new ZkTransaction(async (o) => {
      sent.push(o);
      return o.map(() => ({ type: 2 }));
    }, 10);
    tx.delete('/a').delete('/b');
    await tx.commit();
    expect(sent[0]?.map((o) => o.op)).toEqual(['delete', 'delete']);
    await expect(tx.commit()).rejects.toMatchObject({ code: 'WHARF_ZK_ERROR' });

    const big = new ZkTransaction(async () => [], 10).create('/a', '123456').setJson('/b', 'xxxx', 0);
    await expect(big.commit()).rejects.toMatchObject({ code: 'WHARF_PAYLOAD_TOO_LARGE' });
    expect(() => new ZkTransaction(async () => [], 10).create('bad')).toThrow();
  });
});
