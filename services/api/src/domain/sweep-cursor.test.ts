import { nextBatch } from './sweep-cursor';

describe('nextBatch', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];

  it('walks the names in bounded batches after the cursor, wrapping around', () => {
    expect(nextBatch(names, undefined, 2)).toEqual({ names: ['a', 'b'], cursor: 'b' });
    expect(nextBatch(names, 'b', 2)).toEqual({ names: ['c', 'd'], cursor: 'd' });
    expect(nextBatch(names, 'd', 2)).toEqual({ names: ['e', 'a'], cursor: 'a' });
  });

  it('continues after a cursor that no longer exists', () => {
    expect(nextBatch(['a', 'c', 'e'], 'b', 1)).toEqual({ names: ['c'], cursor: 'c' });
    expect(nextBatch(['a', 'c'], 'z', 1)).toEqual({ names: ['a'], cursor: 'a' });
  });

  it('never repeats a name within a batch and handles empty input', () => {
    expect(nextBatch(['a', 'b'], 'a', 10).names).toEqual(['b', 'a']);
    expect(nextBatch([], 'a', 10)).toEqual({ names: [], cursor: undefined });
  });
});
