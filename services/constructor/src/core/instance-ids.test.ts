import { compareIds, makeInstanceId, parseInstanceId } from './instance-ids';

describe('instance ids', () => {
  it('builds and parses <deployment>-<ref>-<n>, refs with hyphens included', () => {
    expect(makeInstanceId('d1', 'main', 3)).toBe('d1-main-3');
    expect(parseInstanceId('d1', 'd1-main-3')).toEqual({ ref_id: 'main', index: 3 });
    expect(parseInstanceId('d1', 'd1-my-ref-12')).toEqual({ ref_id: 'my-ref', index: 12 });
    expect(parseInstanceId('d1', 'd2-main-3')).toBeUndefined();
    expect(parseInstanceId('d1', 'd1-main-x')).toBeUndefined();
  });

  it('sorts numerically', () => {
    expect(['d-m-10', 'd-m-2', 'd-m-1'].sort(compareIds)).toEqual(['d-m-1', 'd-m-2', 'd-m-10']);
  });

  it('refuses ids longer than a DNS label', () => {
    expect(() => makeInstanceId('d'.repeat(60), 'main', 1)).toThrow(/invalid instance id/);
  });
});
