/**
 * The leader's memory of which allocators lost their live node and since when, fed by the
 * `/allocators` cache events (no polling). One per leadership term: a new leader starts every
 * grace afresh from its own first observation (see `core/allocator-loss.ts` for why that is safe).
 */
import { type Logger } from '@wharf/observability';
import { isMassLoss, nextLossDeadline, presenceOf, trackLoss, type PresenceOf } from '../core/allocator-loss';
import { type ObservedState } from '../core/observed';
import { type ConstructorMetrics } from '../metrics';
import { type EventSink } from '../events/sink';

/** Dependencies of an {@link AllocatorLossTracker}. */
export interface LossTrackerDeps {
  logger: Logger;
  metrics: ConstructorMetrics;
  /** How long an allocator may be without its live node before its instances become unroutable. */
  graceMs: number;
  /** Where a lost allocator is reported (once per loss, like the log line). */
  events?: EventSink;
}

/** Tracks allocator loss for one leadership term. */
export class AllocatorLossTracker {
  private lostSince: ReadonlyMap<string, number> = new Map();
  private live: ReadonlySet<string> = new Set();
  private observed = false;
  private knownCount = 0;
  private massLossNoted = false;
  private readonly announced = new Set<string>();

  constructor(private readonly deps: LossTrackerDeps) {}

  /** Folds in a loaded `/allocators` view; returns when a presence next changes by itself, if ever. */
  observe(view: ObservedState, now: number): number | undefined {
    const next = trackLoss(this.lostSince, view.known, view.live, now);
    for (const id of next.keys()) {
      if (!this.lostSince.has(id)) {
        this.deps.logger.warn('allocator live node gone', { allocator: id, graceMs: this.deps.graceMs });
      }
    }
    for (const [id, since] of this.lostSince) {
      if (next.has(id)) continue;
      this.announced.delete(id);
      if (view.live.has(id))
        this.deps.logger.info('allocator live again', { allocator: id, awayMs: now - since });
    }
    this.lostSince = next;
    this.live = view.live;
    this.knownCount = [...view.known].length;
    this.observed = true;
    const mass = this.massLoss();
    if (mass && !this.massLossNoted)
      this.deps.logger.warn('most allocators lost their live node at once; not marking any lost', {
        missing: next.size,
        known: this.knownCount,
      });
    else if (!mass && this.massLossNoted) this.deps.logger.info('mass allocator loss over');
    this.massLossNoted = mass;
    return nextLossDeadline(next, now, this.deps.graceMs);
  }

  /**
   * Presence as of `now`. Before the first observation every allocator counts as live (routing
   * then follows statuses alone, as it did before allocator loss was tracked).
   */
  presence(now: number): PresenceOf {
    if (!this.observed) return () => 'live';
    const { live, lostSince } = this;
    const hold = this.massLoss();
    return (id) => presenceOf(id, live, lostSince, now, this.deps.graceMs, hold);
  }

  /** Logs allocators whose grace ran out (once per loss), sets the gauge, returns the next deadline. */
  settle(now: number): number | undefined {
    let lost = 0;
    const hold = this.massLoss();
    for (const [id, since] of this.lostSince) {
      if (presenceOf(id, this.live, this.lostSince, now, this.deps.graceMs, hold) !== 'lost') continue;
      lost++;
      if (this.announced.has(id)) continue;
      this.announced.add(id);
      this.deps.logger.warn('allocator lost: its instances are unroutable', {
        allocator: id,
        awayMs: now - since,
      });
      this.deps.events?.emit({
        type: 'allocator-lost',
        severity: 'critical',
        allocator_id: id,
        message: `allocator ${id} lost its live node ${Math.round((now - since) / 1000)} s ago; its instances are unroutable and will be recovered elsewhere`,
      });
    }
    this.deps.metrics.allocatorsLost.set(lost);
    return nextLossDeadline(this.lostSince, now, this.deps.graceMs);
  }

  /**
   * Since when each allocator has been without its live node; empty during a mass loss (nothing
   * is moved off allocators that most likely only lost their ZooKeeper session).
   */
  awaySince(): ReadonlyMap<string, number> {
    return this.massLoss() ? new Map() : this.lostSince;
  }

  private massLoss(): boolean {
    return isMassLoss(this.knownCount, this.lostSince.size);
  }
}
