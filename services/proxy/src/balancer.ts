/**
 * Instance selection: round robin within the most preferred tier that has a usable instance, with
 * passive ejection (an instance that refused a connection is skipped for a cooldown). The cursors
 * and ejections live here, outside the immutable table, so a rebuild keeps the rotation going.
 */
import type { Clock } from './clock';
import type { Route, RouteTarget } from './route-table';

/**
 * How long an instance that refused a connection is skipped. Long enough that a dead instance
 * costs one failed connect per cooldown rather than one per request, short enough that a restarted
 * instance gets traffic back before the allocator's next health report reaches the route.
 */
export const DEFAULT_EJECTION_COOLDOWN_MS = 5_000;

/**
 * Cursor values wrap here so the counter stays a small integer (and a fast modulo) forever.
 * Any multiple of the usual instance counts keeps the rotation fair across the wrap.
 */
const CURSOR_WRAP = 1 << 30;

/** Options for {@link Balancer}. */
export interface BalancerOptions {
  readonly clock: Clock;
  /** See {@link DEFAULT_EJECTION_COOLDOWN_MS}. */
  readonly ejectionCooldownMs?: number;
}

/** Round-robin picker with passive ejection. */
export class Balancer {
  private readonly clock: Clock;
  private readonly cooldownMs: number;
  private readonly cursors = new Map<string, number>();
  /** instance id → time (ms) until which it is skipped. */
  private readonly ejected = new Map<string, number>();

  constructor(options: BalancerOptions) {
    this.clock = options.clock;
    this.cooldownMs = options.ejectionCooldownMs ?? DEFAULT_EJECTION_COOLDOWN_MS;
  }

  /**
   * The next instance for `route`, skipping `exclude` (instances this request already tried).
   * Ejected instances are skipped while any other is usable; when every remaining instance is
   * ejected one is tried anyway (fail open: a stale ejection must not turn into an outage).
   */
  pick(route: Route, exclude?: ReadonlySet<string>): RouteTarget | undefined {
    const cursor = this.advance(route.deploymentId);
    if (this.ejected.size === 0 && (exclude === undefined || exclude.size === 0)) {
      const tier = route.tiers[0];
      return tier === undefined ? undefined : tier[cursor % tier.length];
    }
    const now = this.clock.now();
    let fallback: RouteTarget | undefined;
    for (const tier of route.tiers) {
      const usable = tier.filter((t) => exclude === undefined || !exclude.has(t.instanceId));
      if (usable.length === 0) continue;
      const live = usable.filter((t) => !this.isEjectedAt(t.instanceId, now));
      if (live.length > 0) return live[cursor % live.length];
      fallback ??= usable[cursor % usable.length];
    }
    return fallback;
  }

  /** Skips `instanceId` for the cooldown (it refused a connection). */
  eject(instanceId: string): void {
    this.ejectedCount(); // sweep expired entries so instances that left the table do not linger
    this.ejected.set(instanceId, this.clock.now() + this.cooldownMs);
  }

  /** True while `instanceId` is ejected. */
  isEjected(instanceId: string): boolean {
    return this.isEjectedAt(instanceId, this.clock.now());
  }

  /** Instances currently ejected. */
  ejectedCount(): number {
    const now = this.clock.now();
    for (const [id, until] of this.ejected) if (until <= now) this.ejected.delete(id);
    return this.ejected.size;
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

  private isEjectedAt(instanceId: string, now: number): boolean {
    const until = this.ejected.get(instanceId);
    if (until === undefined) return false;
    if (until > now) return true;
    this.ejected.delete(instanceId);
    return false;
  }
}
