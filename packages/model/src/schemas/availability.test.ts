import { addProbes, availabilityPercent, hourOf, type Availability } from './availability';

const H = 3_600_000;
const T0 = Date.parse('2026-12-01T10:15:00.000Z');
const empty: Availability = { schema_version: 1, deployment_id: 'd1', hours: [] };

describe('availability', () => {
  it('counts probes per UTC hour and keeps the newest as last', () => {
    const r = addProbes(
      empty,
      [
        { at: T0, up: true, status: 200, ms: 3 },
        { at: T0 + 1000, up: false, ms: 2000 },
        { at: T0 + H, up: true, status: 404, ms: 5 },
      ],
      T0 + H,
    );
    expect(r.hours).toEqual([
      { hour: '2026-12-01T10', probes: 2, up: 1 },
      { hour: '2026-12-01T11', probes: 1, up: 1 },
    ]);
    expect(r.last).toEqual({ at: new Date(T0 + H).toISOString(), up: true, status: 404, ms: 5 });
    // A late flush of an older probe does not replace the newer last.
    expect(addProbes(r, [{ at: T0, up: false, ms: 1 }], T0 + H).last?.at).toBe(
      new Date(T0 + H).toISOString(),
    );
  });

  it('gives percentages over a window, null without probes, and forgets hours past 30 days', () => {
    let r = addProbes(empty, [{ at: T0 - 48 * H, up: false, ms: 1 }], T0);
    r = addProbes(
      r,
      [
        { at: T0, up: true, ms: 1 },
        { at: T0, up: true, ms: 1 },
        { at: T0, up: false, ms: 1 },
      ],
      T0,
    );
    expect(availabilityPercent(r, T0, 24)).toBe(66.667);
    expect(availabilityPercent(r, T0, 30 * 24)).toBe(50);
    expect(availabilityPercent(empty, T0, 24)).toBeNull();
    const later = addProbes(r, [], T0 + 31 * 24 * H);
    expect(later.hours.map((h) => h.hour)).toEqual([]);
    expect(hourOf(T0)).toBe('2026-12-01T10');
  });
});
