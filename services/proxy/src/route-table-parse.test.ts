import fc from 'fast-check';
import { serializeDocument, validateDocument } from '@wharf/model';
import { instance, routeEntry } from '../test/fixtures';
import { decodeRouteEntry, isRouteEntry } from './route-table-parse';

const valid = routeEntry('dep1', [
  instance('dep1-main-0'),
  instance('dep1-main-1', { zone: 'zone-b', port: 1 }),
]);

/** Values that differ from a valid entry in one place, some still valid, most not. */
const mutated = fc
  .tuple(
    fc.constantFrom(
      'schema_version',
      'deployment_id',
      'instances',
      'shutdown',
      'restoring',
      'updated',
      'extra',
      '0.instance_id',
      '0.ref_id',
      '0.port',
      '0.host',
      '0.healthy',
      '0.extra',
      '0.zone',
    ),
    fc.oneof(
      fc.constantFrom(
        null,
        true,
        0,
        -1,
        65535,
        65536,
        1.5,
        '',
        'a',
        'A',
        'a-',
        '-a',
        'x'.repeat(33),
        'x'.repeat(64),
        'h'.repeat(256),
        '2026-02-29T00:00:00Z',
        '2028-02-29T23:59:59.5Z',
        '2026-13-01T00:00:00Z',
        '2026-01-01T00:00:00+01:00',
        '2026-01-01t00:00:00z',
        '2026-01-01T24:00:00Z',
        [],
        {},
      ),
      fc.string(),
      fc.integer(),
    ),
  )
  .map(([path, value]) => {
    const doc = structuredClone(valid) as unknown as Record<string, unknown>;
    const [head, tail] = path.split('.');
    if (tail === undefined) doc[head!] = value;
    else (doc['instances'] as Record<string, unknown>[])[Number(head)]![tail] = value;
    return doc;
  });

describe('route document decoding', () => {
  test('accepts a valid entry without the model decoder and round-trips it', () => {
    expect(isRouteEntry(JSON.parse(JSON.stringify(valid)))).toBe(true);
    expect(decodeRouteEntry(serializeDocument('route', valid))).toEqual(valid);
  });

  test('refusals carry the model decoder message', () => {
    expect(decodeRouteEntry('{nope')).toMatch(/not JSON/);
    expect(decodeRouteEntry(JSON.stringify({ ...valid, schema_version: 2 }))).toMatch(/invalid route/);
    expect(decodeRouteEntry('null')).toMatch(/invalid route/);
  });

  test('a timestamp with an offset is refused by the fast check but accepted through the schema', () => {
    const offset = { ...valid, updated: '2026-01-01T01:00:00+01:00' };
    expect(isRouteEntry(offset)).toBe(false);
    expect(decodeRouteEntry(JSON.stringify(offset))).toEqual(offset);
  });

  test('property: the fast check never accepts what the schema refuses', () => {
    fc.assert(
      fc.property(mutated, (doc) => {
        const fast = isRouteEntry(doc);
        const schema = validateDocument('route', doc).ok;
        if (fast) expect(schema).toBe(true);
        // And the decoder's verdict is always the schema's.
        expect(typeof decodeRouteEntry(JSON.stringify(doc)) !== 'string').toBe(schema);
      }),
      { numRuns: 1000 },
    );
  });

  test('timestamps: the hand-read check agrees with the regex it replaced', () => {
    const accepted = (updated: string): boolean => isRouteEntry({ ...valid, updated });
    for (const ok of ['2026-12-07T07:08:00Z', '2026-12-07T23:59:59.123Z', '2024-02-29T00:00:00.1Z'])
      expect(accepted(ok)).toBe(true);
    for (const bad of [
      '2026-12-07T07:08:00',
      '2026-12-07T07:08:00.Z',
      '2026-12-07 07:08:00Z',
      '2026-12-07T07-08:00Z',
      '2026-12-07T24:00:00Z',
      '2026-12-07T07:60:00Z',
      '2026-12-07T07:08:60Z',
      '2026-00-07T07:08:00Z',
      '2026-12-00T07:08:00Z',
      '2026-04-31T07:08:00Z',
      '2100-02-29T00:00:00Z',
      '+026-12-07T07:08:00Z',
      '2026-12-07T07:08:00.1aZ',
      `2026-12-07T07:08:00.${'1'.repeat(44)}Z`,
    ])
      expect(accepted(bad)).toBe(false);
    const timestamp = fc
      .tuple(
        fc.constantFrom('2024', '2026', '2100', '0000', '99x9'),
        fc.stringMatching(/^[0-9]{2}$/),
        fc.stringMatching(/^[0-9]{2}$/),
        fc.stringMatching(/^[0-9]{2}$/),
        fc.stringMatching(/^[0-9]{2}$/),
        fc.stringMatching(/^[0-9]{2}$/),
        fc.constantFrom('', '.', '.5', '.123456789', '.x', 'z'),
        fc.constantFrom('Z', 'z', '', '+00:00', 'ZZ'),
        fc.constantFrom('T', 't', ' '),
      )
      .map(([y, mo, d, h, mi, s, f, z, t]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`);
    fc.assert(
      fc.property(timestamp, (updated) => {
        expect(accepted(updated)).toBe(regexVerdict(updated));
      }),
      { numRuns: 2000 },
    );
  });
});

const OLD_UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;
const OLD_DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The check this file's fast path used before (a regex with captures), as the reference. */
function regexVerdict(value: string): boolean {
  const match = OLD_UTC_TIMESTAMP.exec(value);
  if (match === null || value.length > 64) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (OLD_DAYS_IN_MONTH[month] ?? 0));
}
