import { createTestLogger } from '@wharf/observability';
import { ROOT_SETTLE_MS, SpecsRootGuard } from './specs-root-guard';

describe('SpecsRootGuard', () => {
  it('is settled while the root has always been there', () => {
    const guard = new SpecsRootGuard('/allocators/a/instances', createTestLogger());
    expect(guard.observe(true, 0, 1)).toBeUndefined();
    expect(guard.settled(0)).toBe(true);
  });

  it('holds removals while the root is gone and for the settle time after it is back', () => {
    const guard = new SpecsRootGuard('/allocators/a/instances', createTestLogger());
    expect(guard.observe(false, 1_000, 3)).toBeUndefined();
    expect(guard.settled(60_000)).toBe(false);
    expect(guard.observe(true, 70_000, 3)).toBe(70_000 + ROOT_SETTLE_MS);
    expect(guard.settled(70_000 + ROOT_SETTLE_MS - 1)).toBe(false);
    expect(guard.settled(70_000 + ROOT_SETTLE_MS)).toBe(true);
    // Gone again: holds again, whatever time has passed.
    guard.observe(false, 80_000, 3);
    expect(guard.settled(999_999)).toBe(false);
  });
});
