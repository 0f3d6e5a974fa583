import { guidOf, latchPosition, protectedLatchName, sortBySequence } from './latch-nodes';

const GUID = '123e4567-e89b-42d3-a456-426614174000';

describe('latch nodes', () => {
  test('protected names carry the GUID', () => {
    const name = `${protectedLatchName(GUID)}0000000007`;
    expect(name).toBe(`_c_${GUID}-latch-0000000007`);
    expect(guidOf(name)).toBe(GUID);
    expect(guidOf('latch-0000000007')).toBeNull();
  });

  test('orders by sequence, not by name', () => {
    const names = [
      `_c_${'b'.repeat(8)}-x-0000000003`,
      `_c_${'a'.repeat(8)}-x-0000000010`,
      'junk',
      'n-0000000001',
    ];
    expect(sortBySequence(names)).toEqual([names[3], names[0], names[1]]);
  });

  test('each contender watches only its predecessor', () => {
    const names = ['x-0000000005', 'y-0000000002', 'z-0000000009'];
    expect(latchPosition(names, 'y-0000000002')).toEqual({ kind: 'leader' });
    expect(latchPosition(names, 'x-0000000005')).toEqual({ kind: 'follower', predecessor: 'y-0000000002' });
    expect(latchPosition(names, 'z-0000000009')).toEqual({ kind: 'follower', predecessor: 'x-0000000005' });
    expect(latchPosition(names, 'w-0000000001')).toEqual({ kind: 'missing' });
  });
});
