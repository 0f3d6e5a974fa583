import fc from 'fast-check';
import { LayeredMap, deltaLimit, MIN_DELTA_LIMIT } from './route-table-map';

describe('LayeredMap', () => {
  test('with() returns a new map and leaves the old one as it was', () => {
    const base = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const first = LayeredMap.over(base);
    const second = first.with(
      new Map<string, number | undefined>([
        ['a', undefined],
        ['c', 3],
      ]),
    );
    expect([...first.entries()]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(first.size).toBe(2);
    expect(second.get('a')).toBeUndefined();
    expect(second.has('c')).toBe(true);
    expect(new Map(second)).toEqual(
      new Map([
        ['b', 2],
        ['c', 3],
      ]),
    );
    expect(second.size).toBe(2);
    expect(base.size).toBe(2); // the base is never written to
    expect(LayeredMap.over(second)).toBe(second);
  });

  test('removing a key that only the delta had leaves no tombstone; re-adding a removed key works', () => {
    const m = LayeredMap.over(new Map([['a', 1]]))
      .with(new Map([['x', 9]]))
      .with(new Map([['x', undefined]]))
      .with(new Map([['a', undefined]]))
      .with(new Map([['a', 5]]));
    expect(m.deltaSize).toBe(1);
    expect([...m]).toEqual([['a', 5]]);
    expect(m.size).toBe(1);
  });

  test('the delta is merged into a new base once it outgrows its limit', () => {
    let m = LayeredMap.over(new Map<string, number>());
    for (let i = 0; i <= MIN_DELTA_LIMIT; i++) m = m.with(new Map([[`k${i}`, i]]));
    expect(m.deltaSize).toBe(0);
    expect(m.size).toBe(MIN_DELTA_LIMIT + 1);
    expect(deltaLimit(10_000)).toBe(200);
  });

  test('property: any sequence of updates behaves like copying a Map', () => {
    const key = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `k${i}`));
    const batch = fc.array(fc.tuple(key, fc.option(fc.nat(50), { nil: undefined })), { maxLength: 30 });
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 60 }), (batches) => {
        let model = new Map<string, number>();
        let layered = LayeredMap.over(new Map<string, number>());
        const history: [LayeredMap<number>, Map<string, number>][] = [];
        for (const b of batches) {
          const changes = new Map(b);
          model = new Map(model);
          for (const [k, v] of changes) {
            if (v === undefined) model.delete(k);
            else model.set(k, v);
          }
          layered = layered.with(changes);
          history.push([layered, model]);
        }
        // Every version handed out still reads as it did (persistence), not only the last one.
        for (const [m, expected] of history) {
          expect(m.size).toBe(expected.size);
          expect(new Map(m)).toEqual(expected);
          for (let i = 0; i < 12; i++) expect(m.get(`k${i}`)).toBe(expected.get(`k${i}`));
          const seen: string[] = [];
          m.forEach((_, k) => seen.push(k));
          expect(seen.sort()).toEqual([...expected.keys()].sort());
        }
      }),
      { numRuns: 200 },
    );
  });
});
