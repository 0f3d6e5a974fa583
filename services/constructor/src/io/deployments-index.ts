/**
 * The leader's incremental view of `/deployments` (record, pending plan, attempt per deployment),
 * kept from the tree cache's per-node events. Every attempt save is a cache event, and the
 * runners ask for a deployment's pending plan at every checkpoint: rebuilding the view of every
 * deployment per event made that O(deployments) per save. Here an event only marks its
 * deployment dirty; {@link DeploymentsIndex.views} re-parses the dirty ones (data parsed once per
 * buffer by the shared memo parser).
 */
import { type PlanAttempt, type PlanDocument } from '@wharf/model';
import { type CachedNode, type DeploymentView, type NodeParser } from '../core/observed';

/** A cached node: its data and znode version. */
interface Node {
  path: string;
  data: Buffer;
  version: number;
  /** Set by {@link DeploymentsIndex.known}: this leader's own write or fresh read, not the cache. */
  known?: true;
}

/** A node of the tree cache with its version. */
export interface VersionedNode extends CachedNode {
  readonly stat: { readonly version: number };
}

/** The cached nodes of one deployment. */
interface Nodes {
  deployment?: Node;
  pending?: Node;
  attempt?: Node;
}

/**
 * A deployment's plan nodes as the cache last saw them, with their versions: a write conditional
 * on them needs no read first (it fails, and the writer reads fresh, when the cache was behind).
 */
export interface CachedPlanNodes {
  /** The pending plan, when cached and valid. */
  pending?: { value: PlanDocument; version: number };
  /** The attempt document (undefined when unreadable) and its version; undefined: no attempt node. */
  attempt?: { value: PlanAttempt | undefined; version: number };
}

type Slot = keyof Nodes;

/** Which node of a deployment `path` is (its record, `plan/pending`, `plan/attempt`), or none. */
export function slotOf(path: string): { id: string; slot: Slot } | undefined {
  const [root, id, plan, leaf, ...rest] = path.split('/').slice(1);
  if (root !== 'deployments' || id === undefined || id === '' || rest.length > 0) return undefined;
  if (plan === undefined) return { id, slot: 'deployment' };
  if (plan !== 'plan') return undefined;
  if (leaf === 'pending') return { id, slot: 'pending' };
  if (leaf === 'attempt') return { id, slot: 'attempt' };
  return undefined;
}

/** Deployment views maintained from cache events. */
export class DeploymentsIndex {
  private readonly nodes = new Map<string, Nodes>();
  private readonly views = new Map<string, DeploymentView>();
  private readonly dirty = new Set<string>();

  constructor(private readonly parse: NodeParser) {}

  /** Replaces everything with a full snapshot (the cache's `initialized`). */
  load(snapshot: ReadonlyMap<string, VersionedNode>): void {
    this.nodes.clear();
    this.views.clear();
    this.dirty.clear();
    for (const [path, node] of snapshot) this.put(path, node.data, node.stat.version);
  }

  /**
   * A node added or updated, as the cache read it. Older than what {@link known} recorded: kept
   * out (a reload's read that the server answered before this leader's write landed).
   */
  put(path: string, data: Buffer, version: number): void {
    const at = slotOf(path);
    if (!at) return;
    const held = this.nodes.get(at.id)?.[at.slot];
    if (held?.known && held.version > version) return;
    this.set(at, { path, data, version });
  }

  /**
   * A node as this leader wrote it (the write's bytes and the version it returned) or just read
   * it fresh. Why: the attempt node is not watched while leading (see the scheduler); the leader
   * is its only writer, so its own writes keep it current. Another writer (a deposed leader's
   * late write) makes the next versioned write fail; the runner then reads fresh and reports it here.
   */
  known(path: string, data: Buffer, version: number): void {
    const at = slotOf(path);
    if (!at || !this.nodes.has(at.id)) return; // a deployment the cache no longer has: deleted
    this.set(at, { path, data, version, known: true });
  }

  private set(at: { id: string; slot: Slot }, node: Node): void {
    const nodes = this.nodes.get(at.id) ?? {};
    nodes[at.slot] = node;
    this.nodes.set(at.id, nodes);
    this.dirty.add(at.id);
  }

  /** A node removed (children before parents). */
  remove(path: string): void {
    const at = slotOf(path);
    if (!at) return;
    const nodes = this.nodes.get(at.id);
    if (!nodes) return;
    if (at.slot === 'deployment') this.nodes.delete(at.id);
    else delete nodes[at.slot];
    this.dirty.add(at.id);
  }

  /** The views, brought up to date for the deployments changed since the last call. */
  current(): ReadonlyMap<string, DeploymentView> {
    for (const id of this.dirty) {
      const nodes = this.nodes.get(id);
      if (nodes) this.views.set(id, this.build(id, nodes));
      else this.views.delete(id);
    }
    this.dirty.clear();
    return this.views;
  }

  /** The plan nodes of `id` as cached (see {@link CachedPlanNodes}); undefined for an unknown deployment. */
  planNodes(id: string): CachedPlanNodes | undefined {
    const nodes = this.nodes.get(id);
    if (!nodes) return undefined;
    const out: CachedPlanNodes = {};
    const pending = nodes.pending && this.parse('plan', nodes.pending.path, nodes.pending.data);
    if (pending && nodes.pending) out.pending = { value: pending, version: nodes.pending.version };
    if (nodes.attempt)
      out.attempt = {
        value: this.parse('plan-attempt', nodes.attempt.path, nodes.attempt.data),
        version: nodes.attempt.version,
      };
    return out;
  }

  private build(id: string, nodes: Nodes): DeploymentView {
    const view: DeploymentView = { id };
    const deployment =
      nodes.deployment && this.parse('deployment', nodes.deployment.path, nodes.deployment.data);
    if (deployment) view.deployment = deployment;
    const pending = nodes.pending && this.parse('plan', nodes.pending.path, nodes.pending.data);
    if (pending) view.pending = pending;
    const attempt = nodes.attempt && this.parse('plan-attempt', nodes.attempt.path, nodes.attempt.data);
    if (attempt) view.attempt = attempt;
    return view;
  }
}
