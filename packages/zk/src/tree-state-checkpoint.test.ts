import fc from 'fast-check';
import { TreeIndex } from './tree-state';
import { type ZkNode } from './types';

function node(data: string, version = 0, czxid = 1n): ZkNode {
  return {
    data: Buffer.from(data),
    stat: {
      czxid,
      mzxid: czxid + BigInt(version),
      pzxid: czxid,
      ctime: 0,
      mtime: 0,
      version,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: null,
      dataLength: data.length,
      numChildren: 0,
    },
  };
}

function seeded(): TreeIndex {
  const index = new TreeIndex('/r');
  index.put('/r', node(''));
  index.put('/r/a', node('a'));
  index.put('/r/b', node('b'));
  index.checkpoint();
  return index;
}

describe('TreeIndex checkpoint', () => {
  test('lookups and copies see the checkpoint while the index moves on', () => {
    const index = seeded();
    const b = index.get('/r/b');
    index.put('/r/a', node('a2', 1));
    index.removeSubtree('/r/b');
    index.put('/r/c', node('c'));
    expect(index.getAtCheckpoint('/r/a')?.data.toString()).toBe('a');
    expect(index.getAtCheckpoint('/r/b')).toBe(b);
    expect(index.getAtCheckpoint('/r/c')).toBeUndefined();
    expect([...index.atCheckpoint().keys()].sort()).toEqual(['/r', '/r/a', '/r/b']);
    expect(index.pendingSize).toBe(3);
    index.checkpoint();
    expect(index.getAtCheckpoint('/r/c')?.data.toString()).toBe('c');
    expect(index.getAtCheckpoint('/r/b')).toBeUndefined();
    expect(index.pendingSize).toBe(0);
  });

  test('replace diffs against the checkpoint, so unpublished changes are not lost', () => {
    const index = seeded();
    // A pass that failed half-way: it changed /r/a without its events being published.
    index.put('/r/a', node('a2', 1));
    const events = index.replace(
      new Map([
        ['/r', node('')],
        ['/r/a', node('a2', 1)],
        ['/r/b', node('b')],
      ]),
    );
    expect(events.map((e) => `${e.type} ${e.path}`)).toEqual(['updated /r/a']);
    expect(index.getAtCheckpoint('/r/a')?.data.toString()).toBe('a');
  });

  test('property: the checkpoint view equals a copy taken at the checkpoint', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), name, version: fc.nat(3) }),
      fc.record({ kind: fc.constant('remove' as const), name }),
      fc.record({ kind: fc.constant('checkpoint' as const) }),
      fc.record({ kind: fc.constant('replace' as const), names: fc.subarray(['a', 'b', 'c', 'd']) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const index = seeded();
        let expected = index.toMap();
        for (const o of ops) {
          if (o.kind === 'put') index.put(`/r/${o.name}`, node(o.name, o.version));
          else if (o.kind === 'remove') index.removeSubtree(`/r/${o.name}`);
          else if (o.kind === 'replace') {
            const next = new Map([['/r', node('')]]);
            for (const n of o.names) next.set(`/r/${n}`, node(n));
            const before = index.atCheckpoint();
            const events = index.replace(next);
            // Applying the events to the checkpoint view yields the new contents.
            for (const e of events) {
              if (e.type === 'removed') before.delete(e.path);
              else before.set(e.path, e.node);
            }
            expect(new Set(before.keys())).toEqual(new Set(next.keys()));
          } else {
            index.checkpoint();
            expected = index.toMap();
          }
          expect(index.atCheckpoint()).toEqual(expected);
          for (const path of ['/r', '/r/a', '/r/b', '/r/c', '/r/d']) {
            expect(index.getAtCheckpoint(path)).toBe(expected.get(path));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
