import { addTraffic, setTrafficLine, sumTraffic, trafficHourEnd, trafficHourOf } from './traffic';

describe('traffic arithmetic', () => {
  it('names hours in UTC and knows when they end', () => {
    const t = Date.parse('2026-12-01T10:59:59.999Z');
    expect(trafficHourOf(t)).toBe('2026-12-01T10');
    expect(trafficHourEnd('2026-12-01T10')).toBe(t + 1);
  });

  it('adds new counts to the stored ones and sums proxies per deployment', () => {
    const stored = { d1: [10, 20, 1] };
    const next = addTraffic(
      stored,
      new Map([
        ['d1', { in_bytes: 1, out_bytes: 2, requests: 3 }],
        ['d2', { in_bytes: 4, out_bytes: 5, requests: 6 }],
      ]),
    );
    expect(next).toEqual({ d1: [11, 22, 4], d2: [4, 5, 6] });
    expect(stored).toEqual({ d1: [10, 20, 1] });
    const sums = sumTraffic([{ deployments: next }, { deployments: { d2: [1, 1, 1] } }]);
    expect(Object.fromEntries(sums)).toEqual({
      d1: { in_bytes: 11, out_bytes: 22, requests: 4 },
      d2: { in_bytes: 5, out_bytes: 6, requests: 7 },
    });
  });

  it('sets (never adds) an hour, sorted, and reports no change as undefined', () => {
    const tally = { in_bytes: 1, out_bytes: 2, requests: 3 };
    const lines = setTrafficLine([{ hour: '11', in_bytes: 9, out_bytes: 9, requests: 9 }], '10', tally)!;
    expect(lines.map((l) => l.hour)).toEqual(['10', '11']);
    expect(setTrafficLine(lines, '10', tally)).toBeUndefined();
    expect(setTrafficLine(lines, '10', { ...tally, requests: 4 })![0]).toEqual({
      hour: '10',
      ...tally,
      requests: 4,
    });
  });
});
