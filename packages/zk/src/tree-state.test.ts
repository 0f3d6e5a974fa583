import { diffTrees, nodeChange, TreeIndex } from './tree-state';
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

function summary(events: { type: string; path: string }[]): string[] {
  return events.map((e) => `${e.type} ${e.path}`);
}

describe('nodeChange', () => {
  test('compares (czxid, version) only', () => {
    expect(nodeChange(undefined, node('a'))).toBe('added');
    expect(nodeChange(node('a', 1), node('a', 1))).toBeNull();
    expect(nodeChange(node('a', 1), node('b', 1))).toBeNull(); // same version: no event, whatever the bytes
    expect(nodeChange(node('a', 1), node('a', 2))).toBe('updated');
    expect(nodeChange(node('a', 0, 1n), node('a', 0, 9n))).toBe('updated'); // deleted + re-created
  });
});

describe('diffTrees', () => {
  test('removals deepest first, then additions parents first, updates, nothing for unchanged', () => {
    const before = new Map([
      ['/r', node('')],
      ['/r/a', node('a')],
      ['/r/a/x', node('x')],
      ['/r/b', node('b')],
      ['/r/c', node('c', 3)],
    ]);
    const after = new Map([
      ['/r', node('')],
      ['/r/b', node('b')],
      ['/r/c', node('c', 4)],
      ['/r/d', node('d')],
      ['/r/d/y', node('y')],
    ]);
    expect(summary(diffTrees(before, after))).toEqual([
      'removed /r/a/x',
      'removed /r/a',
      'updated /r/c',
      'added /r/d',
      'added /r/d/y',
    ]);
    expect(diffTrees(after, after)).toEqual([]);
  });
});

describe('TreeIndex', () => {
  test('put reports changes once and ignores orphans', () => {
    const index = new TreeIndex('/r');
    expect(index.put('/r/a', node('a'))).toBeNull(); // parent not cached yet
    expect(index.put('/r', node(''))?.type).toBe('added');
    expect(index.put('/r/a', node('a'))?.type).toBe('added');
    expect(index.put('/r/a', node('a'))).toBeNull();
    const updated = index.put('/r/a', node('a2', 1));
    expect(updated?.type).toBe('updated');
    expect(updated?.previous?.data.toString()).toBe('a');
    expect(index.put('/elsewhere', node('z'))).toBeNull();
    expect(index.childrenOf('/r')).toEqual(['/r/a']);
  });

  test('removeSubtree drops descendants deepest first', () => {
    const index = new TreeIndex('/r');
    index.put('/r', node(''));
    index.put('/r/a', node('a'));
    index.put('/r/a/x', node('x'));
    index.put('/r/b', node('b'));
    expect(summary(index.removeSubtree('/r/a'))).toEqual(['removed /r/a/x', 'removed /r/a']);
    expect(index.childrenOf('/r')).toEqual(['/r/b']);
    expect(index.removeSubtree('/r/a')).toEqual([]);
    expect(index.size).toBe(2);
  });

  test('replace swaps contents and returns the diff', () => {
    const index = new TreeIndex('/r');
    index.put('/r', node(''));
    index.put('/r/a', node('a'));
    index.checkpoint(); // published: the diff is taken from here
    const events = index.replace(
      new Map([
        ['/r', node('')],
        ['/r/b', node('b')],
      ]),
    );
    expect(summary(events)).toEqual(['removed /r/a', 'added /r/b']);
    expect([...index.toMap().keys()]).toEqual(['/r', '/r/b']);
    expect(index.childrenOf('/r')).toEqual(['/r/b']);
  });
});
