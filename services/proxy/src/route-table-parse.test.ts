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
});
