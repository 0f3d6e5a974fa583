import { isWharfError } from '@wharf/model';
import { assertContainerName, isValidContainerName, validateArgv, validateContainerSpec } from './validate';
import { type ContainerSpec } from './types';

const spec = (over: Partial<Record<keyof ContainerSpec, unknown>> = {}): Record<string, unknown> => ({
  name: 'd1-main-0',
  labels: { 'wharf.instance': 'd1-main-0' },
  argv: ['/usr/bin/etcd', '--name', 'x'],
  env: { FOO: 'bar' },
  dataDir: '/var/lib/wharf/d1-main-0/data',
  memoryMb: 512,
  hostAddress: '127.0.0.1',
  ports: { client: 2379, peer: 2380 },
  ...over,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isWharfError(err) ? err.code : 'not-a-wharf-error';
  }
  return undefined;
}

describe('container names', () => {
  it.each(['a', 'd1-main-0', 'abc.def_1', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(isValidContainerName(name)).toBe(true);
  });
  it.each(['', 'A', '-a', '.a', 'a/b', 'a..b', '../x', 'x'.repeat(64), 'a b', 'a\0'])(
    'refuses %j',
    (name) => {
      expect(isValidContainerName(name)).toBe(false);
      expect(codeOf(() => assertContainerName(name))).toBe('WHARF_INVALID_ID');
    },
  );
  it('refuses non-strings', () => {
    expect(codeOf(() => assertContainerName(42))).toBe('WHARF_INVALID_ID');
  });
});

describe('validateArgv', () => {
  it('accepts an absolute program and a bare program name', () => {
    expect(validateArgv(['/usr/bin/etcd', '--x'])).toEqual(['/usr/bin/etcd', '--x']);
    expect(validateArgv(['python3', '-m', 'http.server'])).toEqual(['python3', '-m', 'http.server']);
  });
  it.each([
    ['a shell string', '/usr/bin/etcd --name x'],
    ['an empty argv', []],
    ['a relative path', ['./etcd']],
    ['a path with a directory but not absolute', ['bin/etcd']],
    ['a non-normalised absolute path', ['/usr/bin/../bin/etcd']],
    ['a program with spaces', ['etcd --name']],
    ['a non-string item', ['/usr/bin/etcd', 3]],
    ['an item with NUL', ['/usr/bin/etcd', 'a\0b']],
    ['a shell-looking program', ['sh -c "rm -rf /"']],
  ])('refuses %s with WHARF_RUNTIME_ERROR', (_label, argv) => {
    expect(codeOf(() => validateArgv(argv))).toBe('WHARF_RUNTIME_ERROR');
  });
  it('accepts an empty argv only when allowed', () => {
    expect(validateArgv([], { allowEmpty: true })).toEqual([]);
  });
});

describe('validateContainerSpec', () => {
  it('returns a frozen copy', () => {
    const input = spec();
    const out = validateContainerSpec(input);
    expect(out).toEqual(input);
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(out.argv)).toBe(true);
    (input.argv as string[]).push('--mutated');
    expect(out.argv).not.toContain('--mutated');
  });
  it.each([
    ['name', { name: '../etc' }, 'WHARF_INVALID_ID'],
    ['argv string', { argv: '/usr/bin/etcd --x' }, 'WHARF_RUNTIME_ERROR'],
    ['relative dataDir', { dataDir: 'data' }, 'WHARF_RUNTIME_ERROR'],
    ['dataDir with ..', { dataDir: '/var/lib/../etc' }, 'WHARF_RUNTIME_ERROR'],
    ['root dataDir', { dataDir: '/' }, 'WHARF_RUNTIME_ERROR'],
    ['host name instead of address', { hostAddress: 'localhost' }, 'WHARF_RUNTIME_ERROR'],
    ['zero memory', { memoryMb: 0 }, 'WHARF_RUNTIME_ERROR'],
    ['cpu quota above one host', { cpuQuota: 1.5 }, 'WHARF_RUNTIME_ERROR'],
    ['port out of range', { ports: { client: 70000 } }, 'WHARF_RUNTIME_ERROR'],
    ['duplicate port', { ports: { client: 2379, peer: 2379 } }, 'WHARF_RUNTIME_ERROR'],
    ['bad port name', { ports: { 'Client-1': 2379 } }, 'WHARF_RUNTIME_ERROR'],
    ['bad env name', { env: { 'A=B': 'x' } }, 'WHARF_RUNTIME_ERROR'],
    ['non-string env value', { env: { A: 1 } }, 'WHARF_RUNTIME_ERROR'],
    ['bad label key', { labels: { 'has space': 'x' } }, 'WHARF_RUNTIME_ERROR'],
    ['image with a space', { image: 'wharf/etcd:3.4; rm' }, 'WHARF_RUNTIME_ERROR'],
  ])('refuses %s', (_label, over, code) => {
    expect(
      codeOf(() => validateContainerSpec(spec(over as Partial<Record<keyof ContainerSpec, unknown>>))),
    ).toBe(code);
  });
  it('lets an image supply the command only when the runtime allows it', () => {
    const withImage = spec({ argv: [], image: 'wharf/etcd:3.4' });
    expect(codeOf(() => validateContainerSpec(withImage))).toBe('WHARF_RUNTIME_ERROR');
    expect(validateContainerSpec(withImage, { allowEmptyArgv: true }).argv).toEqual([]);
  });
});

describe('extraBinds and groupAdd', () => {
  const base = { name: 'x', argv: ['/bin/true'], dataDir: '/d', memoryMb: 64, hostAddress: '127.0.0.1' };
  it('keeps valid ones and refuses relative paths, traversal and non-numeric groups', () => {
    expect(validateContainerSpec({ ...base, extraBinds: ['/a:/b:ro'], groupAdd: ['998'] })).toMatchObject({
      extraBinds: ['/a:/b:ro'],
      groupAdd: ['998'],
    });
    expect(() => validateContainerSpec({ ...base, extraBinds: ['a:/b'] })).toThrow(/extraBinds/);
    expect(() => validateContainerSpec({ ...base, extraBinds: ['/a/../etc:/b'] })).toThrow(/extraBinds/);
    expect(() => validateContainerSpec({ ...base, groupAdd: ['docker'] })).toThrow(/groupAdd/);
  });
});
