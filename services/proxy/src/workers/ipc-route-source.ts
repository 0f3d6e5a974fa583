/**
 * The route source of a proxy worker: documents relayed by the primary over the cluster channel
 * (the primary owns the ZooKeeper session; see `cluster-messages.ts`). The worker's own
 * {@link RouteTableCache} rebuilds its table from these exactly as it would from ZooKeeper.
 */
import type { WireDocument } from './cluster-messages';
import type { RouteSource, RouteSourceListener } from '../route-source';
import type { RouteDocument } from '../route-table';

/** A {@link RouteSource} fed by `apply()`. */
export class IpcRouteSource implements RouteSource {
  private readonly docs = new Map<string, string>();
  private initialized = false;
  private listener: RouteSourceListener | undefined;
  /** The documents as a list, rebuilt lazily after a change. */
  private list: RouteDocument[] | undefined;

  /** Nothing to start: documents arrive through `apply()`. */
  async start(): Promise<void> {}

  /** Forgets the listener. */
  async close(): Promise<void> {
    this.listener = undefined;
  }

  /** The relayed documents, `undefined` until the first full set arrived. */
  documents(): Iterable<RouteDocument> | undefined {
    if (!this.initialized) return undefined;
    this.list ??= [...this.docs].map(([name, data]) => ({ name, data }));
    return this.list;
  }

  /** Registers the listener. */
  subscribe(listener: RouteSourceListener): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /** Applies a routes message: the full set (`full`) or a delta. A delta before any full set is ignored. */
  apply(full: boolean, upserts: readonly WireDocument[], removals: readonly string[]): void {
    if (!full && !this.initialized) return;
    if (full) this.docs.clear();
    for (const [name, data] of upserts) this.docs.set(name, data);
    for (const name of removals) this.docs.delete(name);
    this.list = undefined;
    const first = !this.initialized;
    this.initialized = true;
    this.listener?.(
      first ? { type: 'initialized' } : full ? { type: 'resynced' } : { type: 'changed', name: '' },
    );
  }
}
