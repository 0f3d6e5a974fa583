import { WharfError } from '@wharf/model';
import {
  BACKUP_FORMAT,
  encodeBackup,
  parentFirst,
  parseBackup,
  restoreBatches,
  type Backup,
  type BackupNode,
} from './backup-format';

const node = (path: string, text = ''): BackupNode => ({ path, data: Buffer.from(text).toString('base64') });

const backup = (nodes: BackupNode[]): Backup => ({
  format: BACKUP_FORMAT,
  version: 1,
  taken_at: '2026-12-05T08:00:00.000Z',
  zxid: '4294967312',
  chroot: '/wharf',
  nodes,
});

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WharfError);
    expect((err as WharfError).code).toBe('WHARF_VALIDATION');
    return ((err as WharfError).details as Array<{ path: string }>)[0]!.path;
  }
  throw new Error('did not throw');
}

describe('backup file format', () => {
  it('round-trips, header first and nodes parent-first whatever order they came in', () => {
    const b = backup([node('/a/b/c', 'deep'), node('/a', '{"x":1}'), node('/z'), node('/a/b', '\u0000bin')]);
    const text = encodeBackup(b);
    expect(text.indexOf('"format": "wharf-backup"')).toBeLessThan(text.indexOf('"nodes"'));
    const parsed = parseBackup(text);
    expect(parsed.nodes.map((n) => n.path)).toEqual(['/a', '/z', '/a/b', '/a/b/c']);
    expect(Buffer.from(parsed.nodes[2]!.data, 'base64').toString()).toBe('\u0000bin');
    expect({ ...parsed, nodes: [] }).toEqual({ ...b, nodes: [] });
  });

  it('an empty tree is a valid backup', () => {
    expect(parseBackup(encodeBackup(backup([]))).nodes).toEqual([]);
  });

  it.each(
    (
      [
        ['not JSON', '{', 'file'],
        ['an array', '[]', 'file'],
        ['another format', JSON.stringify({ ...backup([]), format: 'zk-dump' }), 'format'],
        ['a future version', JSON.stringify({ ...backup([]), version: 2 }), 'version'],
        ['a bad time', JSON.stringify({ ...backup([]), taken_at: 'yesterday' }), 'taken_at'],
        ['a numeric zxid', JSON.stringify({ ...backup([]), zxid: 12 }), 'zxid'],
        ['nodes not a list', JSON.stringify({ ...backup([]), nodes: {} }), 'nodes'],
        ['a relative path', JSON.stringify(backup([node('a')])), 'nodes[0].path'],
        ['a .. segment', JSON.stringify(backup([node('/a'), node('/a/..')])), 'nodes[1].path'],
        ['the root', JSON.stringify(backup([node('/')])), 'nodes[0].path'],
        ['a duplicate', JSON.stringify(backup([node('/a'), node('/a')])), 'nodes[1].path'],
        ['an orphan', JSON.stringify(backup([node('/a/b')])), 'nodes[0].path'],
        ['a child before its parent', JSON.stringify(backup([node('/a/b'), node('/a')])), 'nodes[0].path'],
        ['data not base64', JSON.stringify(backup([{ path: '/a', data: 'not base64!' }])), 'nodes[0].data'],
      ] as Array<[string, string, string]>
    ).map(([what, text, field]) => [what, field, text] as const),
  )('refuses %s, naming %s', (_what, field, text) => {
    expect(fieldOf(() => parseBackup(text))).toBe(field);
  });

  it('sorts parents first', () => {
    expect(
      parentFirst([node('/b/c'), node('/b'), node('/a/x/y'), node('/a'), node('/a/x')]).map((n) => n.path),
    ).toEqual(['/a', '/b', '/a/x', '/b/c', '/a/x/y']);
  });

  it('batches by count and by bytes, keeping parent-first order across batches', () => {
    const nodes = [node('/a'), ...Array.from({ length: 9 }, (_, i) => node(`/a/n${i}`, 'x'.repeat(300)))];
    const byCount = restoreBatches(nodes, { maxOps: 4, maxBytes: 1_000_000 });
    expect(byCount.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(byCount[0]![0]!.path).toBe('/a');
    const byBytes = restoreBatches(nodes, { maxOps: 100, maxBytes: 1000 });
    expect(byBytes.length).toBeGreaterThan(2);
    expect(byBytes.flat().map((n) => n.path)).toEqual(parentFirst(nodes).map((n) => n.path));
    // A node bigger than the byte limit still gets a batch of its own.
    expect(restoreBatches([node('/big', 'x'.repeat(5000))], { maxOps: 10, maxBytes: 100 })).toHaveLength(1);
  });
});
