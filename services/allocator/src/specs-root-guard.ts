/**
 * Telling a wiped ZooKeeper from "every instance was removed".
 *
 * Why: an allocator's specs root (`/allocators/<id>/instances`) is created once, when it first
 * starts, and nothing deletes it while the allocator exists. Its absence means the tree was wiped
 * (ZooKeeper lost its data directory and a restore is still to come), not that every spec was
 * deleted: "no specs" must then not read as "remove every instance and its data". While the root is
 * gone the reconciler is told the specs are not authoritative (it keeps and restarts, never
 * removes). When the root reappears, removals wait {@link ROOT_SETTLE_MS} more: a restore creates
 * parents before their children, so the root is back empty for a moment before the specs follow.
 */
import { type Logger } from '@wharf/observability';

/** How long removals wait after the specs root reappears. */
export const ROOT_SETTLE_MS = 5_000;

/** Follows the specs root's presence across cache snapshots. */
export class SpecsRootGuard {
  private present = true;
  private backAt: number | undefined;

  constructor(
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Records whether the root is in the latest snapshot. Returns the time at which removals may
   * resume when the root just came back (so the caller can wake then), otherwise undefined.
   */
  observe(present: boolean, now: number, instances: number): number | undefined {
    if (present === this.present) return undefined;
    this.present = present;
    if (!present) {
      this.backAt = undefined;
      this.logger.error('instance specs root gone; removing nothing until it is back', {
        root: this.root,
        instances,
      });
      return undefined;
    }
    this.backAt = now;
    this.logger.info('instance specs root back', { root: this.root, settleMs: ROOT_SETTLE_MS });
    return now + ROOT_SETTLE_MS;
  }

  /** True when the root exists and, if it was gone, has been back for {@link ROOT_SETTLE_MS}. */
  settled(now: number): boolean {
    if (!this.present) return false;
    return this.backAt === undefined || now - this.backAt >= ROOT_SETTLE_MS;
  }
}
