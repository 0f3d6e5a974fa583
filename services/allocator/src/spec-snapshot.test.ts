import { createTestLogger } from '@wharf/observability';
import { readSpecs } from './spec-snapshot';
import { specFixture } from '../test/fixtures';

const root = '/allocators/alloc-a/instances';
const node = (value: unknown) => ({
  data: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('readSpecs', () => {
  it('reads valid specs by instance id and ignores the root', () => {
    const spec = specFixture();
    const snapshot = new Map([
      [root, node('')],
      [`${root}/d1-main-0`, node(spec)],
    ]);
    const view = readSpecs(snapshot, root, 'alloc-a', new Map(), createTestLogger());
    expect([...view.specs.keys()]).toEqual(['d1-main-0']);
    expect(view.unreadable.size).toBe(0);
  });

  it('marks a bad spec unreadable, or keeps the last good one', () => {
    const logger = createTestLogger();
    const snapshot = new Map([[`${root}/d1-main-0`, node('{not json')]]);
    expect(readSpecs(snapshot, root, 'alloc-a', new Map(), logger).unreadable).toEqual(
      new Set(['d1-main-0']),
    );
    const good = specFixture();
    const kept = readSpecs(snapshot, root, 'alloc-a', new Map([['d1-main-0', good]]), logger);
    expect(kept.specs.get('d1-main-0')).toBe(good);
    expect(logger.entries.map((e) => e.message)).toContain('unreadable instance spec skipped');
  });

  it('refuses a spec filed under another name or allocator', () => {
    const snapshot = new Map([[`${root}/d1-main-9`, node(specFixture())]]);
    expect(
      readSpecs(snapshot, root, 'alloc-a', new Map(), createTestLogger()).unreadable.has('d1-main-9'),
    ).toBe(true);
    const other = new Map([[`${root}/d1-main-0`, node(specFixture({ allocator_id: 'alloc-b' }))]]);
    expect(readSpecs(other, root, 'alloc-a', new Map(), createTestLogger()).unreadable.has('d1-main-0')).toBe(
      true,
    );
  });
});
