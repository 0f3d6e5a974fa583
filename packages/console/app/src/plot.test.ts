import { allows, roleOf } from './roles';
import { money } from './format';
import {
  columnBars,
  durationMs,
  formatMb,
  formatMs,
  memoryUnit,
  memoryPerZone,
  niceCeiling,
  scale,
  ticks,
  zoneBars,
} from './plot';

describe('plot scaling', () => {
  it('rounds an axis maximum up to 1, 2 or 5 × 10ⁿ', () => {
    expect([0, 1, 3, 7, 10, 11, 1536, 3072, 9000].map((v) => niceCeiling(v))).toEqual([
      1, 1, 5, 10, 10, 20, 2000, 5000, 10000,
    ]);
    expect(niceCeiling(Number.NaN)).toBe(1);
    // Memory above a gigabyte rounds to whole gigabytes, so ticks land on them.
    expect(niceCeiling(4096, memoryUnit(4096))).toBe(5120);
    expect(niceCeiling(600, memoryUnit(600))).toBe(1000);
    expect(ticks(5120, 1024)).toEqual([0, 1024, 2048, 3072, 4096, 5120]);
    expect(ticks(2048, 1024)).toEqual([0, 512, 1024, 1536, 2048]);
  });

  it('scales linearly and clamps to the length', () => {
    expect(scale(50, 200, 400)).toBe(100);
    expect(scale(300, 200, 400)).toBe(400);
    expect(scale(-1, 200, 400)).toBe(0);
    expect(scale(5, 0, 400)).toBe(0);
    expect(ticks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(ticks(2000)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('sums memory per zone and stacks used then free on one scale', () => {
    const zones = memoryPerZone([
      { zone: 'zone-b', capacity: { memory_mb: 1024, used_memory_mb: 0 } },
      { zone: 'zone-a', capacity: { memory_mb: 1024, used_memory_mb: 256 } },
      { zone: 'zone-a', capacity: { memory_mb: 1024, used_memory_mb: 128 } },
      { zone: null, capacity: { memory_mb: 512, used_memory_mb: 600 } },
    ]);
    expect(zones).toEqual(
      [
        { zone: 'zone-a', used: 384, total: 2048 },
        { zone: 'zone-b', used: 0, total: 1024 },
        { zone: '—', used: 600, total: 512 },
      ].sort((a, b) => a.zone.localeCompare(b.zone)),
    );
    const { bars, max } = zoneBars(zones, { left: 100, width: 500, top: 0, row: 30, bar: 20 });
    expect(max).toBe(2048);
    const a = bars.find((b) => b.zone === 'zone-a')!;
    expect(a.used).toMatchObject({ x: 100, width: (384 / 2048) * 500, height: 20 });
    expect(a.free.x).toBe(100 + a.used.width);
    expect(a.used.width + a.free.width).toBeCloseTo(500);
    // Overcommitted: the used part is drawn in full, nothing free.
    const over = bars.find((b) => b.zone === '—')!;
    expect(over.free.width).toBe(0);
    expect(over.freeMb).toBe(0);
    expect(bars.map((b) => b.used.y)).toEqual([5, 35, 65]);
  });

  it('lays out columns left to right with their bottoms on the axis', () => {
    const layout = { left: 50, width: 200, top: 10, height: 100, gap: 10, maxWidth: 60 };
    const { bars, max } = columnBars([1000, 4000], layout);
    expect(max).toBe(5000);
    expect(bars).toEqual(
      [
        { x: 55, y: 90, width: 90, height: 20 },
        { x: 155, y: 30, width: 90, height: 80 },
      ].map((b) => ({ ...b, x: b.x + 15, width: 60 })),
    );
    // One column keeps its width, centred.
    expect(columnBars([10], layout).bars).toEqual([{ x: 120, y: 10, width: 60, height: 100 }]);
    expect(columnBars([], layout).bars).toEqual([]);
  });

  it('measures and formats durations and sizes', () => {
    expect(durationMs('2026-12-01T00:00:00Z', '2026-12-01T00:00:12.5Z')).toBe(12_500);
    expect(durationMs('2026-12-01T00:00:00Z', undefined)).toBeUndefined();
    expect(durationMs('2026-12-01T00:00:10Z', '2026-12-01T00:00:00Z')).toBeUndefined();
    expect([850, 12_500, 4_500, 192_000].map(formatMs)).toEqual(['850 ms', '13 s', '4.5 s', '3.2 min']);
    expect([512, 1536, 2048].map(formatMb)).toEqual(['512 MB', '1.5 GB', '2 GB']);
  });
});

describe('roles and money', () => {
  it('nests the roles and allows nothing to an unknown role', () => {
    expect(allows('platform-admin', 'deployment-manager')).toBe(true);
    expect(allows('viewer', 'deployment-manager')).toBe(false);
    expect(allows(undefined, 'viewer')).toBe(false);
    expect(roleOf('admin')).toBeUndefined();
    expect(roleOf('viewer')).toBe('viewer');
  });

  it('shows micros exactly, to the cent', () => {
    expect(money('0', 'EUR')).toBe('0.00 EUR');
    expect(money('1234567', 'EUR')).toBe('1.23 EUR');
    expect(money('98765432100', 'USD')).toBe('98765.43 USD');
    expect(money('-5000000', 'EUR')).toBe('-5.00 EUR');
  });
});
