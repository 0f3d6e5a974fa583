/**
 * Which instances this proxy holds down: an instance that refused or reset a connection is down
 * at once and stays down until an active health check (`health-checker.ts`) connects to it again.
 * No client request is ever sent to a down instance as a probe (unless every instance of a
 * deployment is down: the balancer then fails open). The set lives outside the immutable route
 * table, so table rebuilds keep it; `retain` forgets instances that left the table or moved.
 *
 * In a multi-process proxy each worker and the primary hold one of these; marks travel through
 * the primary (`cluster-messages.ts`), which also runs the health checks.
 */
import type { RouteTable } from './route-table';

/** An instance held down, with the address the health check probes. */
export interface DownInstance {
  readonly instanceId: string;
  readonly host: string;
  readonly port: number;
  /** When it was marked down (ms since the epoch). */
  readonly since: number;
}

/** Called after an instance went down (`true`) or came back (`false`). */
export type HealthListener = (instance: DownInstance, down: boolean) => void;

/** The set of instances held down. */
export class InstanceHealth {
  private readonly down = new Map<string, DownInstance>();
  private readonly listeners: HealthListener[] = [];

  /** Marks an instance down; false when it already was (listeners are not called again). */
  markDown(instance: DownInstance): boolean {
    const known = this.down.get(instance.instanceId);
    if (known !== undefined && known.host === instance.host && known.port === instance.port) return false;
    this.down.set(instance.instanceId, instance);
    for (const listener of this.listeners) listener(instance, true);
    return true;
  }

  /** Marks an instance up again; false when it was not down. */
  markUp(instanceId: string): boolean {
    const known = this.down.get(instanceId);
    if (known === undefined) return false;
    this.down.delete(instanceId);
    for (const listener of this.listeners) listener(known, false);
    return true;
  }

  /** True while `instanceId` is held down. */
  isDown(instanceId: string): boolean {
    return this.down.size > 0 && this.down.has(instanceId);
  }

  /** Instances held down now. */
  list(): DownInstance[] {
    return [...this.down.values()];
  }

  /** Instances held down. */
  get size(): number {
    return this.down.size;
  }

  /** Calls `listener` on every change. */
  onChange(listener: HealthListener): void {
    this.listeners.push(listener);
  }

  /**
   * Forgets instances no longer routed, or routed at another address (a restarted instance on a
   * new port is a new endpoint; the old mark says nothing about it). Listeners are not called:
   * every holder applies the same table.
   */
  retain(table: RouteTable): void {
    if (this.down.size === 0) return;
    const routed = new Map<string, string>();
    for (const route of table.routes.values()) {
      for (const tier of route.tiers) for (const t of tier) routed.set(t.instanceId, `${t.host}:${t.port}`);
    }
    for (const [id, instance] of this.down) {
      if (routed.get(id) !== `${instance.host}:${instance.port}`) this.down.delete(id);
    }
  }
}
