/**
 * A watch-driven copy of `/deployments` (records and whether `plan/pending` and `plan/current`
 * exist) for listing and counting without reading every deployment per request. Writes made
 * through this process wait briefly for the cache to catch up, so a client that creates and
 * then lists sees its deployment.
 */
import { WharfError, paths, type Deployment, type PlanDocument } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, TreeCache, type ZkNode, type ZkSession } from '@wharf/zk';
import { type DeploymentListEntry } from './types';

/** Plan children the list needs (attempts and history are read on demand only). */
const CACHED_PLAN_NODES = new Set(['pending', 'current']);
/**
 * How long a write waits for its own change to reach the cache: the watch fires before the
 * write's reply, then one or two reads follow, so milliseconds; the bound is for a sick server.
 */
export const CACHE_SYNC_TIMEOUT_MS = 2_000;
/** How long a request waits for the first load of the cache at startup. */
export const CACHE_INIT_TIMEOUT_MS = 10_000;

const ROOT = paths.deployments();

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Cached deployments; start() before use, close() at shutdown. */
export class DeploymentCache {
  private readonly tree: TreeCache;
  private readonly parsed = new Map<string, { mzxid: bigint; deployment: Deployment | undefined }>();
  /** The `stopped` block of each cached `plan/current`, by path, parsed once per version. */
  private readonly stoppedOf = new Map<string, { mzxid: bigint; stopped: PlanDocument['stopped'] }>();

  private readonly docs: DocumentStore;

  constructor(
    zk: ZkSession,
    private readonly logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
    this.tree = new TreeCache(zk, ROOT, {
      depth: 3,
      filter: (path, depth) =>
        depth === 1 || (depth === 2 ? baseName(path) === 'plan' : CACHED_PLAN_NODES.has(baseName(path))),
    });
  }

  /** Loads the tree and arms the watches. */
  async start(): Promise<void> {
    await this.tree.start();
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    await this.tree.close();
  }

  private async ready(): Promise<ReadonlyMap<string, ZkNode>> {
    if (!(await this.tree.awaitInitialized(CACHE_INIT_TIMEOUT_MS))) {
      throw new WharfError('WHARF_UNAVAILABLE', 'deployment cache not loaded yet');
    }
    return this.tree.snapshot();
  }

  /** Every readable deployment with its cached plan node names. */
  async list(): Promise<DeploymentListEntry[]> {
    const snapshot = await this.ready();
    const out: DeploymentListEntry[] = [];
    for (const [path, node] of snapshot) {
      if (path.lastIndexOf('/') !== ROOT.length) continue;
      const deployment = this.parse(path, node);
      if (deployment === undefined) continue;
      const planNodes = [...CACHED_PLAN_NODES].filter((name) => snapshot.has(`${path}/plan/${name}`));
      const current = snapshot.get(`${path}/plan/current`);
      const stopped =
        current === undefined ? undefined : this.currentStopped(`${path}/plan/current`, current);
      out.push({ deployment, planNodes, ...(stopped === undefined ? {} : { currentStopped: stopped }) });
    }
    return out;
  }

  /** Number of deployments. */
  async count(): Promise<number> {
    return (await this.list()).length;
  }

  /** Resolves once `predicate` holds on the cache, or after {@link CACHE_SYNC_TIMEOUT_MS}. */
  async sync(predicate: (cache: TreeCache) => boolean): Promise<void> {
    if (predicate(this.tree)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        off();
        this.logger.debug('deployment cache sync timed out', {});
        resolve();
      }, CACHE_SYNC_TIMEOUT_MS);
      const check = (): void => {
        if (!predicate(this.tree)) return;
        clearTimeout(timer);
        off();
        resolve();
      };
      const offChanged = this.tree.on('changed', check);
      const offInitialized = this.tree.on('initialized', check);
      const off = (): void => {
        offChanged();
        offInitialized();
      };
    });
  }

  private parse(path: string, node: ZkNode): Deployment | undefined {
    const memo = this.parsed.get(path);
    if (memo !== undefined && memo.mzxid === node.stat.mzxid) return memo.deployment;
    const deployment = this.docs.decodeOrSkip('deployment', path, node.data);
    this.parsed.set(path, { mzxid: node.stat.mzxid, deployment });
    if (this.parsed.size + this.stoppedOf.size > this.tree.snapshot().size * 2) this.prune();
    return deployment;
  }

  /** The `stopped` block of a current plan (what `GET /deployments/<id>` derives `stopped` from). */
  private currentStopped(path: string, node: ZkNode): PlanDocument['stopped'] {
    const memo = this.stoppedOf.get(path);
    if (memo !== undefined && memo.mzxid === node.stat.mzxid) return memo.stopped;
    const stopped = this.docs.decodeOrSkip('plan', path, node.data)?.stopped;
    this.stoppedOf.set(path, { mzxid: node.stat.mzxid, stopped });
    return stopped;
  }

  private prune(): void {
    for (const memo of [this.parsed, this.stoppedOf]) {
      for (const path of memo.keys()) if (this.tree.get(path) === undefined) memo.delete(path);
    }
  }
}
