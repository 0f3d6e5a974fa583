import { expiredDays, firstKeptDay } from './retention';

describe('metering retention', () => {
  const now = Date.parse('2026-12-06T03:00:00Z');

  it('keeps the last retentionDays days and expires the ones before, ignoring other names', () => {
    expect(firstKeptDay(now, 400)).toBe('2025-11-01');
    expect(
      expiredDays(['2026-12-06', '2025-11-01', '2025-10-31', 'junk', '2024-01-01', '2025-10-3'], now, 400),
    ).toEqual(['2024-01-01', '2025-10-31']);
    expect(expiredDays(['2026-12-05', '2026-12-06'], now, 1)).toEqual([]);
    expect(expiredDays(['2026-12-04', '2026-12-05'], now, 1)).toEqual(['2026-12-04']);
  });
});
