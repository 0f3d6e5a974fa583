import { isWharfError } from '@wharf/model';
import { type ZkLogger } from './logger';
import { assertZkPath, depthBelow, joinPath } from './paths';
import { type ZkSessionApi } from './session-api';
import { TreeIndex, type TreeCacheEvent } from './tree-state';
import { TypedEmitter } from './typed-emitter';
import { type ZkNode, type ZkStateChange, type ZkWatchEvent, type ZkWatcher } from './types';

/** Reads in flight at once while (re)loading a tree: keeps a 10k-route reload to a few hundred ms without flooding the server. */
export const TREE_LOAD_CONCURRENCY = 32;

/**
 * Paths re-read per pass after watches fired (and new children loaded at once). Watch events come
 * in bursts (a fleet's status writes, a thousand plans submitted together); with 32 per pass the
 * cache re-read at most 32 nodes per round trip, so under load it fell seconds behind and every
 * reader waited on it (a constructor saw a plan ~10 s after it was written). Pipelined reads on
 * one session cost the server little; the bound keeps one pass's batch of events (and its
 * snapshot copy) finite.
 */
export const DIRTY_REFRESH_BATCH = 512;

/**
 * Upper bound of the random pause before a reload after reconnecting, so a fleet of caches does
 * not hit a recovering server in the same millisecond (CURATOR-441).
 */
export const DEFAULT_RESYNC_JITTER_MS = 250;

/** Pause before retrying after an unexpected error (connection losses wait for `reconnected`). */
export const TREE_RETRY_DELAY_MS = 1000;

const EMPTY_SNAPSHOT: ReadonlyMap<string, ZkNode> = Object.freeze(new Map<string, ZkNode>());

/** Options for a {@link TreeCache}. */
export interface TreeCacheOptions {
  /** Levels below the root to cache: 0 = the root only, 1 = root + children (default), 2 = grandchildren… */
  depth?: number;
  /** Skip (neither cache nor watch) nodes for which this returns false; the root is always kept. */
  filter?: (path: string, depth: number) => boolean;
  /**
   * Nodes whose data is read without a watch (default: all): added and removed are still seen
   * (parent's child watch), data changes only on a reload. For nodes only the consumer writes.
   */
  watchData?: (path: string, depth: number) => boolean;
  /** Upper bound of the random delay before a reload after reconnecting. */
  resyncJitterMs?: number;
  /**
   * One persistent recursive watch on the root (ZooKeeper 3.6+) instead of a data and child watch
   * per node: an add or delete then names the node, so it costs one read instead of re-reading
   * the parent's whole child list. Falls back to one-shot watches if the server refuses it.
   * Every event below the root reaches the session, so only for trees whose depth is all cached.
   */
  recursiveWatch?: boolean;
  logger?: ZkLogger;
}

/** `latent` before start(), `started`, `closed`. */
export type TreeCacheState = 'latent' | 'started' | 'closed';

/**
 * Events of a {@link TreeCache}. After each batch of node events, `batch` fires with all of them
 * (removals deepest first, then additions and updates parents first), then `changed`. A consumer
 * that keeps its own view up to date from `batch` (and `get()`) never pays for a snapshot copy;
 * `changed` hands over the whole snapshot, copied only when someone listens to it.
 */
export type TreeCacheEvents = {
  initialized: [ReadonlyMap<string, ZkNode>];
  added: [TreeCacheEvent];
  updated: [TreeCacheEvent];
  removed: [TreeCacheEvent];
  batch: [readonly TreeCacheEvent[]];
  changed: [ReadonlyMap<string, ZkNode>];
};

interface Dirty {
  data: boolean;
  children: boolean;
}

/**
 * A watch-driven local copy of a subtree (Curator's TreeCache/CuratorCache). `initialized` fires
 * once after the first full load (no per-node events before it); afterwards each watch leads to a
 * re-read and `added`/`updated`/`removed` when the (czxid, version) actually changed. After any
 * reconnect the tree is reloaded and diffed against the cache. See README for what it misses.
 */
export class TreeCache extends TypedEmitter<TreeCacheEvents> {
  private current: TreeCacheState = 'latent';
  private readonly index: TreeIndex;
  private readonly depth: number;
  private readonly logger: ZkLogger;
  private readonly dirty = new Map<string, Dirty>();
  private resync = false;
  private initialized = false;
  /** The snapshot of the last published batch, copied from the index on first demand. */
  private published: ReadonlyMap<string, ZkNode> | undefined = EMPTY_SNAPSHOT;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly watcher = (event: ZkWatchEvent): void => this.onWatch(event);
  /** True while the recursive watch is in use (off after the server refused it). */
  private recursive: boolean;

  constructor(
    private readonly session: ZkSessionApi,
    /** The cached subtree's root. */
    readonly rootPath: string,
    private readonly options: TreeCacheOptions = {},
  ) {
    super(options.logger ?? session.logger);
    assertZkPath(rootPath);
    this.index = new TreeIndex(rootPath);
    this.depth = options.depth ?? 1;
    this.logger = options.logger ?? session.logger;
    this.recursive = options.recursiveWatch === true && session.addRecursiveWatch !== undefined;
  }

  /** True when a persistent recursive watch (not per-node watches) keeps the cache current. */
  get usesRecursiveWatch(): boolean {
    return this.recursive;
  }

  /** The cache's state. */
  get state(): TreeCacheState {
    return this.current;
  }

  /** True once the first full load completed. */
  get isInitialized(): boolean {
    return this.initialized;
  }

  /** Loads the tree and arms the watches; resolves after the first load (or its failure: it retries on reconnect). */
  async start(): Promise<void> {
    if (this.current !== 'latent') return;
    this.current = 'started';
    this.unsubscribe = this.session.onStateChange((change) => this.onStateChange(change));
    this.resync = true;
    this.kick();
    await this.loop;
  }

  /** Stops watching and drops the contents. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.loop?.catch(() => undefined);
    if (this.recursive)
      await this.session.removeRecursiveWatch?.(this.rootPath, this.watcher).catch(() => undefined);
    this.removeAllListeners();
  }

  /**
   * Immutable view of the cache: path → {data, stat}, root included when it exists. It moves in
   * step with the events: a new map is published together with each batch of events (empty
   * before `initialized`).
   */
  snapshot(): ReadonlyMap<string, ZkNode> {
    this.published ??= Object.freeze(this.index.atCheckpoint());
    return this.published;
  }

  /** The node at `path` in the current snapshot (without copying it). */
  get(path: string): ZkNode | undefined {
    if (this.published !== undefined) return this.published.get(path);
    return this.index.getAtCheckpoint(path);
  }

  /** Resolves true once initialized, false after `timeoutMs`. */
  awaitInitialized(timeoutMs: number): Promise<boolean> {
    if (this.initialized) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.once('initialized', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private onStateChange(change: ZkStateChange): void {
    if (change.event !== 'reconnected' || this.current !== 'started') return;
    this.resync = true;
    this.kick();
  }

  private onWatch(event: ZkWatchEvent): void {
    if (this.current !== 'started') return;
    if (this.recursive) {
      const depth = depthBelow(this.rootPath, event.path);
      if (!this.wanted(event.path, depth)) return;
      // Under a recursive watch every node's data changes arrive: unwatched ones are dropped here.
      if (event.type === 'dataChanged' && !this.watchesData(event.path, depth)) return;
    }
    const mark = this.dirty.get(event.path) ?? { data: false, children: false };
    if (event.type !== 'childrenChanged') mark.data = true;
    if (event.type === 'childrenChanged' || event.type === 'created') mark.children = true;
    this.dirty.set(event.path, mark);
    this.kick();
  }

  private kick(): void {
    if (this.current !== 'started' || this.loop !== null) return;
    this.loop = this.runLoop().finally(() => {
      this.loop = null;
      // Work that arrived after the loop's last check (no lost wake-ups).
      if ((this.resync || this.dirty.size > 0) && this.session.state === 'connected') this.kick();
    });
  }

  private async runLoop(): Promise<void> {
    while (this.current === 'started' && (this.resync || this.dirty.size > 0)) {
      try {
        const events = this.resync ? await this.reload() : await this.refreshDirty();
        this.publish(events);
      } catch (err) {
        this.resync = true; // a failed pass may have consumed dirty marks: reload
        if (isWharfError(err, 'WHARF_ZK_CONNECTION_LOSS', 'WHARF_ZK_SESSION_EXPIRED', 'WHARF_ZK_CLOSED')) {
          if (this.session.state === 'connected') continue; // the failure predates the reconnect
          this.logger.warn('tree cache waiting for connection', { root: this.rootPath });
          return; // `reconnected` kicks the loop again
        }
        this.logger.error('tree cache error', { root: this.rootPath, err });
        await this.session.clock.sleep(TREE_RETRY_DELAY_MS);
      }
    }
  }

  private publish(events: TreeCacheEvent[]): void {
    if (this.current !== 'started') return;
    // Why only with events: a pass that changed nothing keeps the snapshot (and its identity,
    // which consumers memoise on); same-version re-reads stay in the journal until the next one.
    if (events.length > 0 || !this.initialized) {
      this.index.checkpoint();
      this.published = undefined;
    }
    if (!this.initialized) {
      this.initialized = true;
      this.logger.debug('tree cache initialized', { root: this.rootPath, nodes: this.index.size });
      this.emit('initialized', this.snapshot());
      return;
    }
    if (events.length === 0) return;
    for (const event of events) this.emit(event.type, event);
    this.emit('batch', events);
    if (this.listenerCount('changed') > 0) this.emit('changed', this.snapshot());
  }

  /** Full reload into a fresh map (re-arming every watch), diffed against the cache. */
  private async reload(): Promise<TreeCacheEvent[]> {
    const { clock } = this.session;
    if (this.initialized) {
      await clock.sleep(clock.random() * (this.options.resyncJitterMs ?? DEFAULT_RESYNC_JITTER_MS));
    }
    this.resync = false;
    this.dirty.clear();
    if (this.recursive) await this.armRecursiveWatch(); // before the reads: no change falls between
    const fresh = new Map<string, ZkNode>();
    let level = [this.rootPath];
    for (let depth = 0; level.length > 0; depth++) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += TREE_LOAD_CONCURRENCY) {
        const batch = level.slice(i, i + TREE_LOAD_CONCURRENCY);
        const loaded = await Promise.all(batch.map((path) => this.load(path, depth)));
        loaded.forEach((result, j) => {
          const path = batch[j];
          if (result === null || path === undefined) return;
          fresh.set(path, result.node);
          next.push(...result.children);
        });
      }
      level = next;
    }
    return this.index.replace(fresh);
  }

  /** Re-reads every path whose watch fired since the last pass. */
  private async refreshDirty(): Promise<TreeCacheEvent[]> {
    const batch: [string, Dirty][] = [];
    for (const entry of this.dirty) {
      if (batch.length >= DIRTY_REFRESH_BATCH) break;
      batch.push(entry);
    }
    for (const [path] of batch) this.dirty.delete(path);
    const results = await Promise.all(batch.map(([path, mark]) => this.refresh(path, mark)));
    return results.flat();
  }

  private async refresh(path: string, mark: Dirty): Promise<TreeCacheEvent[]> {
    const depth = depthBelow(this.rootPath, path);
    if (!this.wanted(path, depth)) return [];
    const events: TreeCacheEvent[] = [];
    if (mark.data || !this.index.has(path)) {
      const node = await this.read(path);
      if (node === null) return this.index.removeSubtree(path);
      const event = this.index.put(path, node);
      if (event !== null) events.push(event);
      if (!this.index.has(path)) return events; // parent vanished meanwhile
      if (event !== null && (event.type === 'added' || event.previous?.stat.czxid !== node.stat.czxid)) {
        mark.children = true; // a new node (or a re-created one) needs its child watch armed
      }
    }
    if (mark.children && depth < this.depth) {
      const names = await this.readChildren(path);
      if (names === null) return [...events, ...this.index.removeSubtree(path)];
      const present = new Set(names.map((name) => joinPath(path, name)));
      for (const child of this.index.childrenOf(path)) {
        if (!present.has(child)) events.push(...this.index.removeSubtree(child));
      }
      // Why: children found here are loaded in this same pass, not marked for the next one. A root
      // created together with its children (a restore's transaction) would otherwise be published
      // on its own first, and a reader of that snapshot (the proxy) would see an empty tree.
      const fresh = [...present].filter((child) => !this.index.has(child));
      for (let i = 0; i < fresh.length; i += DIRTY_REFRESH_BATCH) {
        const batch = fresh.slice(i, i + DIRTY_REFRESH_BATCH);
        const loaded = await Promise.all(
          batch.map((child) => this.refresh(child, { data: true, children: true })),
        );
        events.push(...loaded.flat());
      }
    }
    return events;
  }

  /** Adds the recursive watch; a server without it (older than 3.6) gets one-shot watches. */
  private async armRecursiveWatch(): Promise<void> {
    try {
      await this.session.addRecursiveWatch?.(this.rootPath, this.watcher);
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_CONNECTION_LOSS', 'WHARF_ZK_SESSION_EXPIRED', 'WHARF_ZK_CLOSED'))
        throw err;
      this.recursive = false;
      this.logger.warn('persistent recursive watch refused, using per-node watches', {
        root: this.rootPath,
        err,
      });
    }
  }

  /** The watcher armed by each read: none under a recursive watch. */
  private get readWatcher(): ZkWatcher | undefined {
    return this.recursive ? undefined : this.watcher;
  }

  private markDirty(path: string): void {
    this.dirty.set(path, { data: true, children: true });
  }

  private async load(path: string, depth: number): Promise<{ node: ZkNode; children: string[] } | null> {
    if (!this.wanted(path, depth)) return null;
    const node = await this.read(path);
    if (node === null) return null;
    if (depth >= this.depth) return { node, children: [] };
    const names = await this.readChildren(path);
    if (names === null) return null;
    return { node, children: names.map((name) => joinPath(path, name)) };
  }

  private watchesData(path: string, depth: number): boolean {
    return depth === 0 || (this.options.watchData?.(path, depth) ?? true);
  }

  private wanted(path: string, depth: number): boolean {
    if (depth < 0 || depth > this.depth) return false;
    return depth === 0 || (this.options.filter?.(path, depth) ?? true);
  }

  /** getData with the watch; null when missing (the root then gets an existence watch). */
  private async read(path: string): Promise<ZkNode | null> {
    const watch = this.watchesData(path, depthBelow(this.rootPath, path));
    try {
      return await this.session.get(path, watch ? this.readWatcher : undefined);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      // Under a recursive watch the root's creation is an event like any other.
      if (
        path === this.rootPath &&
        !this.recursive &&
        (await this.session.exists(path, this.watcher)) !== null
      ) {
        this.markDirty(path); // created between the two calls
      }
      return null;
    }
  }

  private async readChildren(path: string): Promise<string[] | null> {
    try {
      return await this.session.children(path, this.readWatcher);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      return null;
    }
  }
}
