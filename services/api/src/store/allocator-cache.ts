/**
 * A watch-driven copy of `/allocators` (advertisements, live nodes, instance specs and
 * statuses), turned into parsed {@link AllocatorSnapshot}s at most once per change. Serves
 * `GET /deployments/:id` (instances) and `GET /platform/allocators` without per-request scans.
 */
import { WharfError, paths, type DocumentKind, type DocumentTypes } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, TreeCache, type ZkNode, type ZkSession } from '@wharf/zk';
import { CACHE_INIT_TIMEOUT_MS } from './deployment-cache';
import { type AllocatorSnapshot } from './types';

/** Children of an allocator the api reads. */
const ALLOCATOR_CHILDREN = new Set(['live', 'instances', 'status']);
const ROOT = paths.allocators();

function segments(path: string): string[] {
  return path.slice(ROOT.length + 1).split('/');
}

/** Cached allocators; start() before use, close() at shutdown. */
export class AllocatorCache {
  private readonly tree: TreeCache;
  private snapshots: AllocatorSnapshot[] | undefined;
  private readonly parsed = new Map<string, { mzxid: bigint; value: unknown }>();
  private readonly docs: DocumentStore;

  constructor(zk: ZkSession, logger: Logger) {
    this.docs = new DocumentStore(zk, { logger });
    this.tree = new TreeCache(zk, ROOT, {
      depth: 3,
      filter: (path, depth) => depth !== 2 || ALLOCATOR_CHILDREN.has(segments(path)[1] ?? ''),
    });
    const invalidate = (): void => {
      this.snapshots = undefined;
    };
    this.tree.on('changed', invalidate);
    this.tree.on('initialized', invalidate);
  }

  /** Loads the tree and arms the watches. */
  async start(): Promise<void> {
    await this.tree.start();
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    await this.tree.close();
  }

  /** Every allocator, parsed (bad documents are logged once and left out). */
  async allocators(): Promise<AllocatorSnapshot[]> {
    if (!(await this.tree.awaitInitialized(CACHE_INIT_TIMEOUT_MS))) {
      throw new WharfError('WHARF_UNAVAILABLE', 'allocator cache not loaded yet');
    }
    this.snapshots ??= this.build(this.tree.snapshot());
    return this.snapshots;
  }

  private build(snapshot: ReadonlyMap<string, ZkNode>): AllocatorSnapshot[] {
    const byId = new Map<string, AllocatorSnapshot>();
    const seen = new Set<string>();
    for (const [path, node] of snapshot) {
      if (path === ROOT) continue;
      seen.add(path);
      const [id, child, leaf] = segments(path);
      if (id === undefined) continue;
      let entry = byId.get(id);
      if (entry === undefined) {
        entry = { id, advertisement: undefined, live: false, specs: [], statuses: [] };
        byId.set(id, entry);
      }
      if (child === undefined) entry.advertisement = this.parse('allocator-advertisement', path, node);
      else if (child === 'live' && leaf === undefined) entry.live = true;
      else if (child === 'instances' && leaf !== undefined)
        push(entry.specs, this.parse('instance-spec', path, node));
      else if (child === 'status' && leaf !== undefined)
        push(entry.statuses, this.parse('instance-status', path, node));
    }
    for (const path of this.parsed.keys()) if (!seen.has(path)) this.parsed.delete(path);
    return [...byId.values()];
  }

  private parse<K extends DocumentKind>(kind: K, path: string, node: ZkNode): DocumentTypes[K] | undefined {
    const memo = this.parsed.get(path);
    if (memo !== undefined && memo.mzxid === node.stat.mzxid)
      return memo.value as DocumentTypes[K] | undefined;
    // An allocator znode is created before its advertisement is written: empty is "not yet".
    const value = node.data.length === 0 ? undefined : this.docs.decodeOrSkip(kind, path, node.data);
    this.parsed.set(path, { mzxid: node.stat.mzxid, value });
    return value;
  }
}

function push<T>(list: T[], value: T | undefined): void {
  if (value !== undefined) list.push(value);
}
