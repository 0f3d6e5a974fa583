import { TrafficMeter } from './traffic-meter';

describe('TrafficMeter', () => {
  it('counts per hour and deployment, hands the counts over once and takes failed ones back', () => {
    let now = Date.parse('2026-12-01T10:59:59.000Z');
    const meter = new TrafficMeter(() => now);
    meter.record('d1', 100, 1000);
    meter.record('d1', 1, 10);
    now += 1000; // the next hour
    meter.record('d1', 5, 50);
    const taken = meter.take();
    expect(Object.fromEntries([...taken].map(([h, m]) => [h, Object.fromEntries(m)]))).toEqual({
      '2026-12-01T10': { d1: { in_bytes: 101, out_bytes: 1010, requests: 2 } },
      '2026-12-01T11': { d1: { in_bytes: 5, out_bytes: 50, requests: 1 } },
    });
    expect(meter.empty).toBe(true);
    meter.record('d1', 1, 1);
    meter.restore('2026-12-01T11', taken.get('2026-12-01T11')!);
    expect(meter.take().get('2026-12-01T11')!.get('d1')).toEqual({ in_bytes: 6, out_bytes: 51, requests: 2 });
  });
});
