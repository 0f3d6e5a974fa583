import { assertId, instanceId, isValidId, newDeploymentId } from './ids';
import { paths } from './paths';
import { isWharfError } from './errors';

describe('ids', () => {
  it.each(['a', 'abc-123', 'zone-a', '0f3a9c', 'a'.repeat(63)])('accepts %s', (id) => {
    expect(isValidId(id)).toBe(true);
  });

  it.each(['', '-a', 'a-', 'A', 'a/b', '..', 'a..b', 'a.b', 'a_b', 'a b', 'a'.repeat(64), 'ü'])(
    'rejects %j',
    (id) => {
      expect(isValidId(id)).toBe(false);
    },
  );

  it('throws a coded error naming the id kind', () => {
    try {
      assertId('deployment', '../../etc');
      throw new Error('expected a throw');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_INVALID_ID')).toBe(true);
      expect((err as Error).message).toMatch(/invalid deployment id/);
    }
  });

  it('generates valid, distinct deployment ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newDeploymentId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(isValidId(id)).toBe(true);
  });

  it('composes instance ids', () => {
    expect(instanceId('0f3a9c', 'main', 2)).toBe('0f3a9c-main-2');
  });
});

describe('paths', () => {
  it('builds paths from valid ids', () => {
    expect(paths.instanceSpec('alloc-1', 'd1-main-0')).toBe('/allocators/alloc-1/instances/d1-main-0');
    expect(paths.planPending('d1')).toBe('/deployments/d1/plan/pending');
    expect(paths.route('d1')).toBe('/routes/d1');
  });

  it('accepts dotted instance configuration ids but not ..', () => {
    expect(paths.instanceConfiguration('etcd.default')).toBe(
      '/platform/instance-configurations/etcd.default',
    );
    expect(() => paths.instanceConfiguration('..')).toThrow(/invalid instance_configuration id/);
    expect(() => paths.instanceConfiguration('a..b')).toThrow(/invalid instance_configuration id/);
    expect(() => paths.instanceConfiguration('a/b')).toThrow(/invalid instance_configuration id/);
  });

  it('refuses ids that would escape their parent', () => {
    expect(() => paths.deployment('../platform')).toThrow(/invalid deployment id/);
    expect(() => paths.instanceSpec('alloc-1', 'a/b')).toThrow(/invalid instance id/);
  });
});
