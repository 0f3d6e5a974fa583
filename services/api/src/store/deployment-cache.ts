/**
 * A watch-driven copy of `/deployments` (records and whether `plan/pending` and `plan/current`
 * exist) for listing and counting without reading every deployment per request. Writes made
 * through this process wait briefly for the cache to catch up, so a client that creates and
 * then lists sees its deployment.
 */
import { WharfError, paths, type Deployment, type SearchSortField } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, TreeCache, type ZkNode, type ZkSession } from '@wharf/zk';
import { DeploymentIndex, planFacts, type PlanFacts, type TrackedPlan } from './deployment-index';
import { type DeploymentListEntry, type DeploymentRow } from './types';

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
  private readonly index = new DeploymentIndex();
  /** Its decoder, shared with the store's reads so a bad document is logged once, whoever reads it. */
  readonly docs: DocumentStore;

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
    // The index follows the tree event by event (each a binary search and a splice per order).
    this.tree.on('initialized', (snapshot) => this.load(snapshot));
    this.tree.on('added', (event) => this.apply(event.path, event.node));
    this.tree.on('updated', (event) => this.apply(event.path, event.node));
    this.tree.on('removed', (event) => this.apply(event.path, undefined));
  }

  /** Loads the tree and arms the watches. */
  async start(): Promise<void> {
    await this.tree.start();
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    await this.tree.close();
  }

  private async ready(): Promise<DeploymentIndex> {
    if (!(await this.tree.awaitInitialized(CACHE_INIT_TIMEOUT_MS))) {
      throw new WharfError('WHARF_UNAVAILABLE', 'deployment cache not loaded yet');
    }
    return this.index;
  }

  /** Every readable deployment with its cached plan node names. */
  async list(): Promise<DeploymentListEntry[]> {
    return [...(await this.ready()).ordered('created')];
  }

  /** Every readable deployment ascending by `order`, then id (the index's own array). */
  async rows(order: SearchSortField): Promise<readonly DeploymentRow[]> {
    return (await this.ready()).ordered(order);
  }

  /** Number of deployments. */
  async count(): Promise<number> {
    return (await this.ready()).size;
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

  /** `/deployments/<id>` or `/deployments/<id>/plan/<pending|current>`: `[id, plan name]`. */
  private static classify(path: string): [string, TrackedPlan | undefined] | undefined {
    const [id, plan, name, ...rest] = path.slice(ROOT.length + 1).split('/');
    if (id === undefined || id === '' || rest.length > 0) return undefined;
    if (plan === undefined) return [id, undefined];
    return plan === 'plan' && (name === 'pending' || name === 'current') ? [id, name] : undefined;
  }

  private apply(path: string, node: ZkNode | undefined): void {
    const at = DeploymentCache.classify(path);
    if (at === undefined) return;
    const [id, plan] = at;
    if (plan !== undefined) this.index.setPlan(id, plan, node && this.planFacts(path, node));
    else if (node === undefined) this.index.remove(id);
    else this.index.setRecord(id, this.docs.decodeOrSkip('deployment', path, node.data));
  }

  private load(snapshot: ReadonlyMap<string, ZkNode>): void {
    const facts = new Map<string, { deployment?: Deployment; pending?: PlanFacts; current?: PlanFacts }>();
    for (const [path, node] of snapshot) {
      const at = DeploymentCache.classify(path);
      if (at === undefined) continue;
      const [id, plan] = at;
      const entry = facts.get(id) ?? {};
      facts.set(id, entry);
      if (plan !== undefined) entry[plan] = this.planFacts(path, node);
      else {
        const deployment = this.docs.decodeOrSkip('deployment', path, node.data);
        if (deployment !== undefined) entry.deployment = deployment;
      }
    }
    this.index.reset(facts);
  }

  private planFacts(path: string, node: ZkNode): PlanFacts {
    return planFacts(this.docs.decodeOrSkip('plan', path, node.data));
  }
}
