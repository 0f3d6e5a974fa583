import { WharfError } from '@wharf/model';
import { isAttemptPath, reportingAttempts } from './attempt-reporting';
import { type TransactionPort, type ZkPort } from './zk-port';

/** A port whose calls succeed with fixed versions; a transaction fails when `failCommit` is set. */
function fakePort(failCommit = false): ZkPort {
  const tx: TransactionPort = {
    create() {
      return this;
    },
    set() {
      return this;
    },
    delete() {
      return this;
    },
    check() {
      return this;
    },
    commit: async () => {
      if (failCommit) throw new WharfError('WHARF_ZK_TRANSACTION_FAILED', 'conflict');
      return [];
    },
  };
  return {
    get: async () => ({ data: Buffer.from('read'), stat: { version: 7 } }),
    exists: async () => ({ version: 7 }),
    children: async () => [],
    create: async (path) => path,
    set: async (_path, _data, version) => ({ version: version + 1 }),
    delete: async () => undefined,
    mkdirp: async () => undefined,
    deleteRecursive: async () => undefined,
    transaction: () => tx,
  };
}

const A = '/deployments/d1/plan/attempt';

describe('reportingAttempts', () => {
  it('recognises attempt paths only', () => {
    expect(isAttemptPath(A)).toBe(true);
    expect(isAttemptPath('/deployments/d1/plan/pending')).toBe(false);
    expect(isAttemptPath('/deployments//plan/attempt')).toBe(false);
    expect(isAttemptPath('/deployments/a/b/plan/attempt')).toBe(false);
    expect(isAttemptPath('/allocators/x/plan/attempt')).toBe(false);
  });

  it('reports reads, creates and versioned sets of attempt nodes, nothing else', async () => {
    const seen: string[] = [];
    const zk = reportingAttempts(fakePort(), (path, data, version) =>
      seen.push(`${path} ${data} ${version}`),
    );
    await zk.get(A);
    await zk.create(A, 'new');
    await zk.set(A, Buffer.from('saved'), 3);
    await zk.get('/deployments/d1/plan/pending');
    await zk.set('/deployments/d1/plan/current', 'x', 1);
    expect(seen).toEqual([`${A} read 7`, `${A} new 0`, `${A} saved 4`]);
  });

  it('reports a transaction’s attempt writes once it committed, and none when it failed', async () => {
    const seen: string[] = [];
    const report = (path: string, data: Buffer, version: number) => seen.push(`${path} ${data} ${version}`);
    const ok = reportingAttempts(fakePort(), report);
    const tx = ok.transaction().check('/deployments/d1/plan/pending', 2).set(A, 'done', 5);
    expect(seen).toEqual([]); // not before the commit
    await tx.commit();
    await ok.transaction().create(A, 'first').commit();
    await ok.transaction().set(A, 'blind', -1).commit(); // version unknown: not reported
    expect(seen).toEqual([`${A} done 6`, `${A} first 0`]);
    const failing = reportingAttempts(fakePort(true), report);
    await expect(failing.transaction().set(A, 'lost', 6).commit()).rejects.toThrow('conflict');
    expect(seen).toHaveLength(2);
  });
});
