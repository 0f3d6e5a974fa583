/**
 * Instance selection: round robin within the most preferred tier that has a usable instance,
 * skipping instances held down (`instance-health.ts`: down on a failed connect or reset, up again
 * by an active health check). The cursors live here, outside the immutable table, so a rebuild
 * keeps the rotation going.
 */
import { InstanceHealth } from './instance-health';
import type { Route, RouteTarget } from './route-table';

/**
 * Cursor values wrap here so the counter stays a small integer (and a fast modulo) forever.
 * Any multiple of the usual instance counts keeps the rotation fair across the wrap.
 */
const CURSOR_WRAP = 1 << 30;

/** Options for {@link Balancer}. */
export interface BalancerOptions {
  /** The instances held down (shared with the forwarder and the health checker). */
  readonly health?: InstanceHealth;
}

/** Round-robin picker that skips instances held down. */
export class Balancer {
  /** The instances held down. */
  readonly health: InstanceHealth;
  private readonly cursors = new Map<string, number>();

  constructor(options: BalancerOptions = {}) {
    this.health = options.health ?? new InstanceHealth();
  }

  /**
   * The next instance for `route`, skipping `exclude` (instances this request already tried).
   * Down instances are skipped while any other is usable; when every remaining instance is down
   * one is tried anyway (fail open: a stale mark must not turn into an outage).
   */
  pick(route: Route, exclude?: ReadonlySet<string>): RouteTarget | undefined {
    const cursor = this.advance(route.deploymentId);
    if (this.health.size === 0 && (exclude === undefined || exclude.size === 0)) {
      const tier = route.tiers[0];
      return tier === undefined ? undefined : tier[cursor % tier.length];
    }
    let fallback: RouteTarget | undefined;
    for (const tier of route.tiers) {
      const usable = tier.filter((t) => exclude === undefined || !exclude.has(t.instanceId));
      if (usable.length === 0) continue;
      const live = usable.filter((t) => !this.health.isDown(t.instanceId));
      if (live.length > 0) return live[cursor % live.length];
      fallback ??= usable[cursor % usable.length];
    }
    return fallback;
  }

  /** Drops cursors of deployments no longer routed (called after each table swap). */
  retain(deploymentIds: ReadonlyMap<string, unknown>): void {
    for (const id of this.cursors.keys()) if (!deploymentIds.has(id)) this.cursors.delete(id);
  }

  private advance(deploymentId: string): number {
    const cursor = this.cursors.get(deploymentId) ?? 0;
    this.cursors.set(deploymentId, (cursor + 1) % CURSOR_WRAP);
    return cursor;
  }
}
