import { type Logger } from '@wharf/observability';
import { MemoParser } from './tree-views';

const silent = { warn: () => undefined } as unknown as Logger;
/** Valid JSON, not a valid attempt document: only a skipped validation returns it. */
const unchecked = Buffer.from(JSON.stringify({ plan_id: 'p1' }));
/** A valid route document. */
const route = JSON.stringify({
  schema_version: 1,
  deployment_id: 'd1',
  instances: [],
  updated: '2026-12-07T06:00:00.000Z',
});

describe('MemoParser', () => {
  it('validates what another process wrote', () => {
    const parser = new MemoParser(silent);
    expect(
      parser.parse('plan-attempt', '/deployments/d1/plan/attempt', Buffer.from(unchecked)),
    ).toBeUndefined();
  });

  it('only JSON-parses the bytes this process wrote at that path, once', () => {
    const parser = new MemoParser(silent);
    const path = '/deployments/d1/plan/attempt';
    parser.wrote(path, unchecked);
    expect(parser.parse('plan-attempt', path, Buffer.from(unchecked))).toEqual({ plan_id: 'p1' });
    // Seen back: other bytes arriving later at that path are validated.
    const other = Buffer.from(JSON.stringify({ plan_id: 'p2' }));
    expect(parser.parse('plan-attempt', path, other)).toBeUndefined();
    parser.wrote(path, unchecked);
    expect(
      parser.parse('plan-attempt', '/deployments/d2/plan/attempt', Buffer.from(unchecked)),
    ).toBeUndefined();
  });

  it('reuses the last parse of a path when a new buffer holds the same bytes, until forgotten', () => {
    const parser = new MemoParser(silent);
    const path = '/routes/d1';
    const first = parser.parse('route', path, Buffer.from(route));
    expect(first).toMatchObject({ deployment_id: 'd1' });
    // A fresh parse would build a new object: the same one means neither parsed nor validated again.
    expect(parser.parse('route', path, Buffer.from(route))).toBe(first);
    const changed = Buffer.from(route.replace('"d1"', '"d2"'));
    expect(parser.parse('route', path, changed)).toMatchObject({ deployment_id: 'd2' });
    expect(parser.parse('route', path, Buffer.from(route))).not.toBe(first);
    const again = parser.parse('route', path, Buffer.from(route));
    parser.forget(path);
    expect(parser.parse('route', path, Buffer.from(route))).not.toBe(again);
  });

  it('does not reuse a parse across paths or kinds', () => {
    const parser = new MemoParser(silent);
    const first = parser.parse('route', '/routes/d1', Buffer.from(route));
    expect(parser.parse('route', '/routes/d1-copy', Buffer.from(route))).not.toBe(first);
    expect(parser.parse('plan-attempt', '/routes/d1', Buffer.from(route))).toBeUndefined();
  });
});
