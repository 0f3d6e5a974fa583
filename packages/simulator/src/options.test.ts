import { isWharfError } from '@wharf/model';
import { allocatorIdOf, compileFleetOptions, zoneOf } from './options';

describe('compileFleetOptions', () => {
  it('fills defaults and spreads allocators round robin over the zones', () => {
    const o = compileFleetOptions({ connectString: '127.0.0.1:2181', count: 4, zones: ['z1', 'z2'] });
    expect(o).toMatchObject({ chroot: '/wharf', allocatorsPerSession: 100, capacityMb: 16_384 });
    expect([0, 1, 2, 3].map((i) => zoneOf(o, i))).toEqual(['z1', 'z2', 'z1', 'z2']);
    expect(allocatorIdOf(o, 3)).toBe('sim-z2-3');
    expect(Object.isFrozen(o)).toBe(true);
  });

  it.each([
    ['count', { count: 0 }],
    ['zones', { zones: [] }],
    ['startDelayMs', { startDelayMs: { min: 5, max: 1 } }],
    ['allocatorsPerSession', { allocatorsPerSession: 1.5 }],
  ])('rejects a bad %s, naming it', (option, bad) => {
    let caught: unknown;
    try {
      compileFleetOptions({ connectString: 'x:1', ...bad });
    } catch (err) {
      caught = err;
    }
    expect(isWharfError(caught, 'WHARF_VALIDATION')).toBe(true);
    expect((caught as { details: unknown }).details).toMatchObject({ option });
  });
});
