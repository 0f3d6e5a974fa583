/**
 * Route documents from ZooKeeper: a `TreeCache` on `/routes` (depth 1, with data). The tree cache
 * keeps its contents across disconnects and reloads-and-diffs after a reconnect, so the proxy keeps
 * the last known routes while ZooKeeper is unreachable. The safety-net refresh builds a second cache
 * from scratch and swaps it in only once it has fully loaded (a missed watch cannot outlive it).
 *
 * The documents are kept here by name and updated from each of the cache's batches, so a change
 * costs O(changed) (copying the cache's 10,000-node snapshot per change was most of its cost), and
 * every changed name is reported for the table cache to apply on its own. A reconnect's diff
 * arrives as one batch like any other: the table is updated, not rebuilt.
 */
import { WharfError, paths } from '@wharf/model';
import type { Logger } from '@wharf/observability';
import { TreeCache, baseName, parentPath, type TreeCacheEvent, type ZkNode, type ZkSession } from '@wharf/zk';
import type { RouteSource, RouteSourceListener } from './route-source';
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
  /** The documents by name, `undefined` until the first load. */
  private docs: Map<string, RouteDocument> | undefined;
  /** `/routes` itself vanished: the last documents keep serving until it is back (see `onBatch`). */
  private wiped = false;
  private readonly view: Iterable<RouteDocument> = { [Symbol.iterator]: () => this.values() };

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
    return this.docs === undefined ? undefined : this.view;
  }

  /** The cached `/routes/<name>` document. */
  document(name: string): RouteDocument | undefined {
    return this.docs?.get(name);
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
    this.load(fresh.snapshot());
    await previous?.close();
    this.options.logger.debug('route cache reloaded', { root: this.root });
    this.listener?.({ type: 'resynced' });
  }

  private createCache(): TreeCache {
    const cache = new TreeCache(this.options.zk, this.root, { depth: 1, recursiveWatch: true });
    // Only the cache in use speaks: a refresh's cache stays silent until it is swapped in.
    const live = (): boolean => cache === this.cache && !this.closed;
    cache.on('initialized', (snapshot) => {
      if (!live()) return;
      this.load(snapshot);
      this.listener?.({ type: 'initialized' });
    });
    cache.on('batch', (events) => {
      if (live()) this.onBatch(cache, events);
    });
    return cache;
  }

  /**
   * Why the root is watched: `/routes` is created once by the api's bootstrap and never deleted;
   * deleting a deployment removes only its child. A batch that removes the root means the tree was
   * wiped (ZooKeeper lost its data, a restore is still to come): the last routes keep serving
   * rather than every deployment answering 404 until the restore, which reloads them all.
   */
  private onBatch(cache: TreeCache, events: readonly TreeCacheEvent[]): void {
    if (cache.get(this.root) === undefined) {
      if (!this.wiped)
        this.options.logger.warn('routes root vanished; serving the last routes', { root: this.root });
      this.wiped = true;
      return;
    }
    if (this.wiped) {
      this.wiped = false;
      this.load(cache.snapshot());
      this.listener?.({ type: 'resynced' });
      return;
    }
    const docs = this.docs ?? new Map<string, RouteDocument>();
    this.docs = docs;
    for (const event of events) {
      if (event.path === this.root || parentPath(event.path) !== this.root) continue;
      const name = baseName(event.path);
      if (event.type === 'removed') docs.delete(name);
      else docs.set(name, { name, data: event.node.data });
      this.listener?.({ type: 'changed', name });
    }
  }

  /** Replaces the documents with those of `snapshot` (kept as they were when it has no root). */
  private load(snapshot: ReadonlyMap<string, ZkNode>): void {
    if (this.docs !== undefined && !snapshot.has(this.root)) {
      this.wiped = true;
      return;
    }
    this.wiped = false;
    const docs = new Map<string, RouteDocument>();
    for (const [path, node] of snapshot) {
      if (path !== this.root && parentPath(path) === this.root) {
        const name = baseName(path);
        docs.set(name, { name, data: node.data });
      }
    }
    this.docs = docs;
  }

  private *values(): IterableIterator<RouteDocument> {
    if (this.docs !== undefined) yield* this.docs.values();
  }
}
