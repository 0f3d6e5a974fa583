import {
  assertZkPath,
  baseName,
  depthBelow,
  joinPath,
  normalizeChroot,
  parentPath,
  sequenceOf,
} from './paths';

describe('paths', () => {
  test.each(['/', '/a', '/a/b-c_d.e', '/allocators/a1/live'])('accepts %s', (p) => {
    expect(() => assertZkPath(p)).not.toThrow();
  });

  test.each(['', 'a', '/a/', '//a', '/a//b', '/a/./b', '/..', '/a\u0000'])('rejects %j', (p) => {
    expect(() => assertZkPath(p)).toThrow(expect.objectContaining({ code: 'WHARF_ZK_ERROR' }));
  });

  test('join, parent, base name, depth', () => {
    expect(joinPath('/', 'a')).toBe('/a');
    expect(joinPath('/a', 'b', 'c')).toBe('/a/b/c');
    expect(joinPath('/')).toBe('/');
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
    expect(parentPath('/')).toBe('/');
    expect(baseName('/a/b')).toBe('b');
    expect(depthBelow('/a', '/a')).toBe(0);
    expect(depthBelow('/a', '/a/b/c')).toBe(2);
    expect(depthBelow('/a', '/ab')).toBe(-1);
    expect(depthBelow('/', '/x/y')).toBe(2);
  });

  test('sequence numbers and chroot', () => {
    expect(sequenceOf('latch-0000000042')).toBe(42);
    expect(sequenceOf('latch-42')).toBe(-1);
    expect(normalizeChroot('/')).toBe('');
    expect(normalizeChroot('/wharf')).toBe('/wharf');
  });
});
