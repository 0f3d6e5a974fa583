/**
 * Route documents from ZooKeeper: a `TreeCache` on `/routes` (depth 1, with data). The tree cache
 * keeps its contents across disconnects and reloads-and-diffs after a reconnect, so the proxy keeps
 * the last known routes while ZooKeeper is unreachable. The safety-net refresh builds a second cache
 * from scratch and swaps it in only once it has fully loaded (a missed watch cannot outlive it).
 */
import { WharfError, paths } from '@wharf/model';
import type { Logger } from '@wharf/observability';
import { TreeCache, baseName, parentPath, type ZkNode, type ZkSession } from '@wharf/zk';
import type { RouteSource, RouteSourceEvent, RouteSourceListener } from './route-source';
import type { RouteDocument } from './route-table';

/** Options for {@link ZkRouteSource}. */
export interface ZkRouteSourceOptions {
  readonly zk: ZkSession;
  readonly logger: Logger;
  /** The routes parent znode; default `/routes`. */
  readonly path?: string;
}

/** A {@link RouteSource} over a ZooKeeper tree cache. */
export class ZkRouteSource implements RouteSource {
  private readonly options: ZkRouteSourceOptions;
  private readonly root: string;
  private cache: TreeCache | undefined;
  private listener: RouteSourceListener | undefined;
  private closed = false;
  /** The last snapshot converted, and its documents (a snapshot is immutable until the next change). */
  private memo: { snapshot: ReadonlyMap<string, ZkNode>; documents: RouteDocument[] } | undefined;

  constructor(options: ZkRouteSourceOptions) {
    this.options = options;
    this.root = options.path ?? paths.routes();
  }

  /** Starts the tree cache; resolves after its first load, or at once if ZooKeeper is unreachable. */
  async start(): Promise<void> {
    if (this.cache !== undefined || this.closed) return;
    this.cache = this.createCache();
    await this.cache.start();
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listener = undefined;
    await this.cache?.close();
  }

  /** The cached `/routes/<id>` documents, `undefined` until the first load completed. */
  documents(): Iterable<RouteDocument> | undefined {
    const cache = this.cache;
    if (cache === undefined || !cache.isInitialized) return undefined;
    const snapshot = cache.snapshot();
    // Why: `/routes` is created once by the api's bootstrap and never deleted; deleting a
    // deployment removes only its child. A snapshot without the root means the tree was wiped
    // (ZooKeeper lost its data, a restore is still to come): the last routes keep serving rather
    // than every deployment answering 404 until the restore.
    if (this.memo !== undefined && !snapshot.has(this.root)) return this.memo.documents;
    if (this.memo?.snapshot !== snapshot) {
      const documents: RouteDocument[] = [];
      for (const [path, node] of snapshot) {
        if (path !== this.root && parentPath(path) === this.root) {
          documents.push({ name: baseName(path), data: node.data });
        }
      }
      this.memo = { snapshot, documents };
    }
    return this.memo.documents;
  }

  /** Registers the listener. */
  subscribe(listener: RouteSourceListener): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /**
   * Loads `/routes` again into a fresh cache and swaps it in. Throws (keeping the current cache)
   * when ZooKeeper cannot be read.
   */
  async refresh(): Promise<void> {
    if (this.closed) return;
    const fresh = this.createCache();
    await fresh.start();
    if (!fresh.isInitialized || this.closed) {
      await fresh.close();
      if (this.closed) return;
      throw new WharfError('WHARF_ZK_CONNECTION_LOSS', 'routes could not be reloaded from ZooKeeper');
    }
    const previous = this.cache;
    this.cache = fresh;
    await previous?.close();
    this.options.logger.debug('route cache reloaded', { root: this.root });
    this.listener?.({ type: 'resynced' });
  }

  private createCache(): TreeCache {
    const cache = new TreeCache(this.options.zk, this.root, { depth: 1 });
    const notify = (event: RouteSourceEvent): void => {
      // Only the cache in use speaks: a refresh's cache stays silent until it is swapped in.
      if (cache === this.cache && !this.closed) this.listener?.(event);
    };
    cache.on('initialized', () => notify({ type: 'initialized' }));
    for (const type of ['added', 'updated', 'removed'] as const) {
      cache.on(type, (event) => notify({ type: 'changed', name: baseName(event.path) }));
    }
    return cache;
  }
}
