import fc from 'fast-check';
import { isValidId, serializeDocument, validateDocument } from '@wharf/model';
import { instance, routeEntry } from '../test/fixtures';
import { decodeRouteEntry, isRouteEntry } from './route-table-parse';
import { scanRouteDocument } from './route-table-scan';

const valid = routeEntry('dep1', [
  instance('dep1-main-0'),
  instance('dep1-main-1', { zone: 'zone-b', port: 1, healthy: false }),
]);
const validText = serializeDocument('route', valid).toString('utf8');

const id = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
/** Valid route entries as a writer produces them (any ids, hosts, flags, timestamps). */
const validEntry = fc.record(
  {
    schema_version: fc.constant(1),
    deployment_id: id,
    instances: fc.array(
      fc.record({
        instance_id: id,
        allocator_id: id,
        ref_id: id.filter((s) => s.length <= 32),
        zone: id,
        host: fc.string({ maxLength: 255, unit: 'binary' }),
        port: fc.integer({ min: 1, max: 65535 }),
        healthy: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    shutdown: fc.boolean(),
    restoring: fc.boolean(),
    updated: fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
  },
  { requiredKeys: ['schema_version', 'deployment_id', 'instances', 'updated'] },
);

/** What the scanner may answer for `text`: nothing, or the parsed value when it is a valid entry. */
function expectSound(text: string): void {
  const scanned = scanRouteDocument(text);
  if (scanned === undefined) return;
  const parsed: unknown = JSON.parse(text);
  expect(scanned).toEqual(parsed);
  expect(isRouteEntry(parsed)).toBe(true);
  expect(validateDocument('route', parsed).ok).toBe(true);
}

describe('route document scanner', () => {
  test('reads what writers produce: serialized, indented, keys in any order', () => {
    fc.assert(
      fc.property(validEntry, fc.boolean(), (entry, reversed) => {
        const ordered = reversed ? Object.fromEntries(Object.entries(entry).reverse()) : entry;
        const texts = [serializeDocument('route', entry).toString('utf8'), JSON.stringify(ordered, null, 2)];
        // A host with a quote, a backslash or a control character is escaped: the generic path.
        const plain = entry.instances.every(({ host }) => JSON.stringify(host) === `"${host}"`);
        for (const text of texts) {
          const scanned = scanRouteDocument(text);
          if (plain) expect(scanned).toEqual(JSON.parse(text));
          expectSound(text);
          expect(decodeRouteEntry(text)).toEqual(JSON.parse(text));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('property: whatever a text becomes, the scanner answers nothing or JSON.parse of a valid entry', () => {
    const edit = fc.tuple(
      fc.nat(validText.length),
      fc.nat(4),
      fc.oneof(
        fc.constantFrom('', '"', '\\', ',', '}', ']', '{', '[', ' ', '\n', '-', '0', '.5', 'e1', 'A'),
        fc.string(),
      ),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = validText;
        for (const [at, cut, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
        expectSound(text);
      }),
      { numRuns: 3000 },
    );
  });

  test('ids: read in place exactly as isValidId decides', () => {
    const candidate = fc.oneof(
      id,
      fc.string({
        unit: fc.constantFrom('a', 'z', '0', '9', '-', 'A', '_', '.', '/', ' ', 'é'),
        maxLength: 70,
      }),
    );
    fc.assert(
      fc.property(candidate, fc.constantFrom('instance_id', 'allocator_id', 'zone'), (value, key) => {
        const doc = { ...valid, instances: [{ ...valid.instances[0]!, [key]: value }] };
        const scanned = scanRouteDocument(JSON.stringify(doc));
        expect(scanned !== undefined).toBe(isValidId(value));
      }),
      { numRuns: 2000 },
    );
    const long = (n: number): string => 'a'.repeat(n);
    expect(scanRouteDocument(JSON.stringify({ ...valid, deployment_id: long(63) }))).toBeDefined();
    expect(scanRouteDocument(JSON.stringify({ ...valid, deployment_id: long(64) }))).toBeUndefined();
    const ref = (refId: string): unknown =>
      scanRouteDocument(JSON.stringify({ ...valid, instances: [{ ...valid.instances[0]!, ref_id: refId }] }));
    expect(ref(long(32))).toBeDefined();
    expect(ref(long(33))).toBeUndefined();
  });

  test('numbers: only plain integers in range; the rest is left to the generic path', () => {
    const port = (raw: string): unknown =>
      scanRouteDocument(validText.replace('"port":20000', `"port":${raw}`));
    for (const ok of ['1', '65535', ' 80 ']) expect(port(ok)).toBeDefined();
    for (const bad of ['0', '65536', '-1', '01', '1.0', '1e3', '80.5', 'null', '"80"', '999999999999999999'])
      expect(port(bad)).toBeUndefined();
    expect(decodeRouteEntry(validText.replace('"port":20000', '"port":1.0e1'))).toMatchObject({
      instances: [{ port: 10 }, { port: 1 }],
    });
    expect(scanRouteDocument(validText.replace('"schema_version":1', '"schema_version":2'))).toBeUndefined();
  });

  test('a document it does not read is still refused with the model decoder message, or accepted', () => {
    const escaped = validText.replace('"zone":"zone-b"', '"zone":"zone\\u002db"');
    expect(scanRouteDocument(escaped)).toBeUndefined();
    expect(decodeRouteEntry(escaped)).toEqual(valid); // `\u002d` is `-`: a valid id after all
    const dup = validText.replace('{"schema_version":1,', '{"schema_version":1,"schema_version":1,');
    expect(scanRouteDocument(dup)).toBeUndefined();
    expect(decodeRouteEntry(dup)).toEqual(valid); // JSON.parse keeps the last: as before
    for (const [text, message] of [
      [validText.replace('"healthy":true', '"healthy":1'), /invalid route/],
      [validText.replace('"zone":"zone-a"', '"zone":"Zone-A"'), /invalid route/],
      [validText.replace('"updated"', '"extra":1,"updated"'), /invalid route/],
      [validText.slice(0, -1), /not JSON/],
      [`${validText}x`, /not JSON/],
      ['{"__proto__":{}}', /invalid route/],
    ] as const) {
      expect(scanRouteDocument(text)).toBeUndefined();
      expect(decodeRouteEntry(text)).toMatch(message);
    }
  });

  test('the optional flags are kept only when present, with their value', () => {
    const flags = { ...valid, shutdown: false, restoring: true };
    expect(scanRouteDocument(JSON.stringify(flags))).toEqual(flags);
    expect(Object.keys(scanRouteDocument(validText) ?? {})).not.toContain('shutdown');
  });
});
