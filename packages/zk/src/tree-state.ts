import { depthBelow, parentPath } from './paths';
import { type ZkNode } from './types';

/** What changed for one path of a tree cache. */
export type TreeChangeType = 'added' | 'updated' | 'removed';

/** One change of a {@link TreeCache}: the node after the change (before it, for `removed`). */
export interface TreeCacheEvent {
  readonly type: TreeChangeType;
  readonly path: string;
  readonly node: ZkNode;
  /** The node before an update. */
  readonly previous?: ZkNode;
}

/**
 * Compares two reads of one path. A different `czxid` (deleted and re-created) or `version`
 * (data written) is an update; the same (czxid, version) is no change, whatever watch fired.
 */
export function nodeChange(previous: ZkNode | undefined, next: ZkNode): 'added' | 'updated' | null {
  if (previous === undefined) return 'added';
  const a = previous.stat;
  const b = next.stat;
  return a.czxid !== b.czxid || a.version !== b.version ? 'updated' : null;
}

function depthOf(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

/**
 * Events that turn `before` into `after`: removals deepest first, then additions and updates
 * parents first. A node deleted and re-created between the two reads is one `updated`.
 */
export function diffTrees(
  before: ReadonlyMap<string, ZkNode>,
  after: ReadonlyMap<string, ZkNode>,
): TreeCacheEvent[] {
  const removed: TreeCacheEvent[] = [];
  for (const [path, node] of before) {
    if (!after.has(path)) removed.push({ type: 'removed', path, node });
  }
  removed.sort((x, y) => depthOf(y.path) - depthOf(x.path));
  const changed: TreeCacheEvent[] = [];
  for (const [path, node] of after) {
    const previous = before.get(path);
    const type = nodeChange(previous, node);
    if (type === 'added') changed.push({ type, path, node });
    else if (type === 'updated' && previous !== undefined) changed.push({ type, path, node, previous });
  }
  changed.sort((x, y) => depthOf(x.path) - depthOf(y.path));
  return [...removed, ...changed];
}

/**
 * The cache's mutable contents: nodes by path plus a parent → children index so a subtree can be
 * dropped without scanning the whole map. Every mutation returns the events it implies.
 *
 * Why a checkpoint: readers are handed the contents as of the last published batch, while the
 * next pass already mutates the index across awaits. Copying 10,000 nodes per batch to freeze that
 * view was most of what a route change cost a proxy; instead each mutation records the node a path
 * had at the checkpoint (once per path), so the published view is the index minus that journal:
 * O(1) per lookup, and a full copy only for a reader that asks for the whole map.
 */
export class TreeIndex {
  private readonly nodes = new Map<string, ZkNode>();
  private readonly kids = new Map<string, Set<string>>();
  /** Path → its node at the last checkpoint (`undefined`: absent then), for paths changed since. */
  private readonly journal = new Map<string, ZkNode | undefined>();

  constructor(private readonly root: string) {}

  /** Number of cached nodes. */
  get size(): number {
    return this.nodes.size;
  }

  /** The node at `path`. */
  get(path: string): ZkNode | undefined {
    return this.nodes.get(path);
  }

  /** True when `path` is cached. */
  has(path: string): boolean {
    return this.nodes.has(path);
  }

  /** Paths of the cached children of `path`. */
  childrenOf(path: string): string[] {
    return [...(this.kids.get(path) ?? [])];
  }

  /** A copy of the contents. */
  toMap(): Map<string, ZkNode> {
    return new Map(this.nodes);
  }

  /** Makes the current contents the checkpoint (what {@link atCheckpoint} returns). */
  checkpoint(): void {
    this.journal.clear();
  }

  /** Number of paths changed since the checkpoint. */
  get pendingSize(): number {
    return this.journal.size;
  }

  /** The node at `path` as of the last checkpoint. */
  getAtCheckpoint(path: string): ZkNode | undefined {
    return this.journal.has(path) ? this.journal.get(path) : this.nodes.get(path);
  }

  /** A copy of the contents as of the last checkpoint. */
  atCheckpoint(): Map<string, ZkNode> {
    const copy = new Map(this.nodes);
    for (const [path, node] of this.journal) {
      if (node === undefined) copy.delete(path);
      else copy.set(path, node);
    }
    return copy;
  }

  private record(path: string): void {
    if (!this.journal.has(path)) this.journal.set(path, this.nodes.get(path));
  }

  /**
   * Stores a read of `path`. Ignored (null) when `path` is outside the root or its parent is no
   * longer cached (a late answer for a subtree removed meanwhile).
   */
  put(path: string, node: ZkNode): TreeCacheEvent | null {
    if (depthBelow(this.root, path) < 0) return null;
    if (path !== this.root && !this.nodes.has(parentPath(path))) return null;
    const previous = this.nodes.get(path);
    const type = nodeChange(previous, node);
    this.record(path);
    this.nodes.set(path, node);
    if (path !== this.root) {
      const parent = parentPath(path);
      let set = this.kids.get(parent);
      if (set === undefined) {
        set = new Set();
        this.kids.set(parent, set);
      }
      set.add(path);
    }
    if (type === null) return null;
    return type === 'updated' && previous !== undefined
      ? { type, path, node, previous }
      : { type: 'added', path, node };
  }

  /** Removes `path` and everything below it; events deepest first. */
  removeSubtree(path: string): TreeCacheEvent[] {
    const events: TreeCacheEvent[] = [];
    for (const child of this.childrenOf(path)) events.push(...this.removeSubtree(child));
    const node = this.nodes.get(path);
    if (node === undefined) return events;
    this.record(path);
    this.nodes.delete(path);
    this.kids.delete(path);
    this.kids.get(parentPath(path))?.delete(path);
    events.push({ type: 'removed', path, node });
    return events;
  }

  /**
   * Replaces the whole contents with `next`; returns the diff from the checkpoint (not from the
   * current contents: a pass that failed half-way mutated the index without publishing its events,
   * and a consumer applying events must still hear of those changes).
   */
  replace(next: ReadonlyMap<string, ZkNode>): TreeCacheEvent[] {
    const events = diffTrees(this.journal.size === 0 ? this.nodes : this.atCheckpoint(), next);
    for (const path of this.nodes.keys()) this.record(path);
    for (const path of next.keys()) this.record(path);
    this.nodes.clear();
    this.kids.clear();
    const paths = [...next.keys()].sort((a, b) => depthOf(a) - depthOf(b));
    for (const path of paths) {
      const node = next.get(path);
      if (node !== undefined) this.put(path, node);
    }
    return events;
  }
}
