import { isWharfError } from '@wharf/model';
import { guardMaintenance, guardRoleChange } from './guards';

const spec = (n: number) => ({ deployment_id: 'orders', instance_id: `orders-main-${n}` });
const busy = { id: 'allocator-h1', specs: [spec(0), spec(1)] };
const thrown = (fn: () => void): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('guardRoleChange', () => {
  it('refuses dropping the allocator role of a host whose allocator has instances', () => {
    const err = thrown(() => guardRoleChange('h1', ['allocator', 'proxy'], ['proxy'], [busy]));
    expect(isWharfError(err, 'WHARF_IN_USE')).toBe(true);
    expect((err as { details: unknown }).details).toEqual([
      { path: 'roles', message: 'allocator allocator-h1 runs orders/orders-main-0, orders/orders-main-1' },
    ]);
  });

  it('allows keeping or adding the role, other hosts, and empty allocators', () => {
    expect(
      thrown(() => guardRoleChange('h1', ['allocator'], ['allocator', 'proxy'], [busy])),
    ).toBeUndefined();
    expect(thrown(() => guardRoleChange('h1', ['proxy'], [], [busy]))).toBeUndefined();
    expect(thrown(() => guardRoleChange('h2', ['allocator'], [], [busy]))).toBeUndefined();
    expect(
      thrown(() => guardRoleChange('h1', ['allocator'], [], [{ id: 'allocator-h1', specs: [] }])),
    ).toBeUndefined();
  });

  it('lists at most ten instances and counts the rest', () => {
    const many = { id: 'allocator-h1', specs: Array.from({ length: 13 }, (_, i) => spec(i)) };
    const err = thrown(() => guardRoleChange('h1', ['allocator'], [], [many])) as {
      details: { message: string }[];
    };
    expect(err.details[0]!.message).toMatch(/orders-main-9 \(\+3 more\)$/);
  });
});

describe('guardMaintenance', () => {
  it('refuses switching maintenance on for an allocator with instances, not off or when already on', () => {
    expect(
      isWharfError(
        thrown(() => guardMaintenance('allocator-h1', true, [busy])),
        'WHARF_IN_USE',
      ),
    ).toBe(true);
    expect(thrown(() => guardMaintenance('allocator-h1', false, [busy]))).toBeUndefined();
    const already = { ...busy, advertisement: { maintenance: true } };
    expect(thrown(() => guardMaintenance('allocator-h1', true, [already]))).toBeUndefined();
  });
});
