/**
 * The upstream addresses (`host:port`) the routing table uses, counted, so the pools keyed by
 * address (`UpstreamAgents`, `H2Upstreams`) learn which addresses a swap stopped using in
 * O(changed routes): the table cache hands over the ids it changed and the table before, and
 * only those routes' targets are counted out and in. Walking 10,000 routes (a string per
 * instance) per swap was the part of a route change still O(routes) in every proxy.
 */
import type { RouteTable, RouteTarget } from './route-table';

/** What one swap changed: the table it replaced and the route ids that differ between the two. */
export interface RouteSwapChange {
  readonly previous: RouteTable;
  readonly changed: ReadonlySet<string>;
}

/** The pool key of an upstream. */
export function addressOf(target: Pick<RouteTarget, 'host' | 'port'>): string {
  return `${target.host}:${target.port}`;
}

/** How many route targets use each address. */
export class RoutedAddresses {
  private counts = new Map<string, number>();

  /** True when a route of the last table applied uses `address`. */
  has(address: string): boolean {
    return this.counts.has(address);
  }

  /**
   * Moves to `table` and returns the addresses no route uses any more. With `change` only the
   * changed routes are looked at (the caller has applied every earlier swap); without it (a full
   * build) the whole table is counted again.
   */
  apply(table: RouteTable, change?: RouteSwapChange): string[] {
    if (change === undefined) return this.recount(table);
    const touched = new Set<string>();
    for (const id of change.changed) {
      const old = change.previous.routes.get(id);
      if (old !== undefined) this.add(old.tiers, -1, touched);
    }
    for (const id of change.changed) {
      const route = table.routes.get(id);
      if (route !== undefined) this.add(route.tiers, 1, touched);
    }
    return [...touched].filter((address) => !this.counts.has(address));
  }

  private recount(table: RouteTable): string[] {
    const before = this.counts;
    this.counts = new Map();
    for (const route of table.routes.values()) this.add(route.tiers, 1);
    return [...before.keys()].filter((address) => !this.counts.has(address));
  }

  private add(tiers: readonly (readonly RouteTarget[])[], delta: 1 | -1, touched?: Set<string>): void {
    for (const tier of tiers) {
      for (const target of tier) {
        const address = addressOf(target);
        const count = (this.counts.get(address) ?? 0) + delta;
        if (count > 0) this.counts.set(address, count);
        else this.counts.delete(address);
        touched?.add(address);
      }
    }
  }
}
