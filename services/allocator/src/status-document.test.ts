import { validateDocument } from '@wharf/model';
import { sameStatus, statusDocument } from './status-document';
import { runningRecord, specFixture } from '../test/fixtures';

describe('statusDocument', () => {
  it('produces a valid status that reports health only while running', () => {
    const record = runningRecord(specFixture(), { restarts: 2, lastExit: { code: 1, signal: null, at: 0 } });
    const doc = statusDocument(record, 'alloc-a', '127.0.0.1', 1000);
    expect(validateDocument('instance-status', doc).ok).toBe(true);
    expect(doc).toMatchObject({
      state: 'running',
      healthy: true,
      restarts: 2,
      runtime_id: 'c1',
      generation: 1,
    });
    expect(doc.last_exit).toEqual({ code: 1, signal: null, at: '1970-01-01T00:00:00.000Z' });
    const restarting = statusDocument({ ...record, phase: 'restarting' }, 'alloc-a', '127.0.0.1', 1000);
    expect(restarting).toMatchObject({ state: 'restarting', healthy: false });
  });
});

describe('sameStatus', () => {
  it('ignores `updated` and key order, and nothing else', () => {
    const a = statusDocument(runningRecord(specFixture()), 'alloc-a', 'h', 1);
    const b = statusDocument(runningRecord(specFixture()), 'alloc-a', 'h', 2);
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(b).reverse())));
    expect(sameStatus(a, reordered)).toBe(true);
    expect(sameStatus(a, { ...b, healthy: false })).toBe(false);
    expect(sameStatus(a, undefined)).toBe(false);
  });
});
