import { type Logger } from '@wharf/observability';
import { MemoParser } from './tree-views';

const silent = { warn: () => undefined } as unknown as Logger;
/** Valid JSON, not a valid attempt document: only a skipped validation returns it. */
const unchecked = Buffer.from(JSON.stringify({ plan_id: 'p1' }));

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
    // Seen back: the same bytes arriving again (another write) are validated.
    expect(parser.parse('plan-attempt', path, Buffer.from(unchecked))).toBeUndefined();
    parser.wrote(path, unchecked);
    expect(
      parser.parse('plan-attempt', '/deployments/d2/plan/attempt', Buffer.from(unchecked)),
    ).toBeUndefined();
  });
});
