/**
 * Views over cached subtrees: the allocators (advertisements, live nodes, specs, statuses) and
 * the deployments (record, pending plan, attempt). Pure: parsing is injected so a shell can
 * memoise it and log bad documents from other services instead of crashing on them.
 */
import {
  type Deployment,
  type DocumentKind,
  type DocumentTypes,
  type InstanceSpec,
  type InstanceStatus,
  type PlanAttempt,
  type PlanDocument,
} from '@wharf/model';
import { type AllocatorView } from './place';

/** Parses one cached node as `kind`; undefined for bad data (the parser logs it). */
export type NodeParser = <K extends DocumentKind>(
  kind: K,
  path: string,
  data: Buffer,
) => DocumentTypes[K] | undefined;

/** A cached node: its data is all the views need. */
export interface CachedNode {
  readonly data: Buffer;
}

/** What the allocators report and what the constructor asked of them. */
export interface ObservedState {
  allocators: ReadonlyMap<string, AllocatorView>;
  /** Specs by instance id. */
  specs: ReadonlyMap<string, InstanceSpec>;
  /** Statuses by instance id. */
  statuses: ReadonlyMap<string, InstanceStatus>;
  /** Ids of the allocators whose ephemeral `live` node exists (advertised or not). */
  live: ReadonlySet<string>;
  /** Ids of every allocator the tree mentions: advertised, live, or holding specs or statuses. */
  known: ReadonlySet<string>;
}

/** An empty observation (before the cache is loaded). */
export const EMPTY_OBSERVED: ObservedState = {
  allocators: new Map(),
  specs: new Map(),
  statuses: new Map(),
  live: new Set(),
  known: new Set(),
};

/** Builds the allocators view from a `/allocators` tree (depth 3). */
export function observedFromTree(nodes: ReadonlyMap<string, CachedNode>, parse: NodeParser): ObservedState {
  const ads = new Map<string, AllocatorView['advertisement']>();
  const live = new Set<string>();
  const specs = new Map<string, InstanceSpec>();
  const statuses = new Map<string, InstanceStatus>();
  const known = new Set<string>();
  for (const [path, node] of nodes) {
    const [root, allocator, sub, instance, ...rest] = path.split('/').slice(1);
    if (root !== 'allocators' || allocator === undefined || rest.length > 0) continue;
    known.add(allocator);
    if (sub === undefined) {
      const ad = parse('allocator-advertisement', path, node.data);
      if (ad) ads.set(allocator, ad);
    } else if (sub === 'live' && instance === undefined) {
      live.add(allocator);
    } else if (sub === 'instances' && instance !== undefined) {
      const spec = parse('instance-spec', path, node.data);
      if (spec) specs.set(spec.instance_id, spec);
    } else if (sub === 'status' && instance !== undefined) {
      const status = parse('instance-status', path, node.data);
      if (status) statuses.set(status.instance_id, status);
    }
  }
  const allocators = new Map<string, AllocatorView>();
  for (const [id, advertisement] of ads) allocators.set(id, { advertisement, live: live.has(id) });
  return { allocators, specs, statuses, live, known };
}

/** What the constructor needs to know about one deployment. */
export interface DeploymentView {
  id: string;
  deployment?: Deployment;
  pending?: PlanDocument;
  attempt?: PlanAttempt;
}

/** Builds the deployments view from a `/deployments` tree (depth 3). */
export function deploymentsFromTree(
  nodes: ReadonlyMap<string, CachedNode>,
  parse: NodeParser,
): Map<string, DeploymentView> {
  const out = new Map<string, DeploymentView>();
  const viewOf = (id: string): DeploymentView => {
    let v = out.get(id);
    if (!v) {
      v = { id };
      out.set(id, v);
    }
    return v;
  };
  for (const [path, node] of nodes) {
    const [root, id, plan, leaf, ...rest] = path.split('/').slice(1);
    if (root !== 'deployments' || id === undefined || rest.length > 0) continue;
    if (plan === undefined) {
      const deployment = parse('deployment', path, node.data);
      const view = viewOf(id);
      if (deployment) view.deployment = deployment;
    } else if (plan === 'plan' && leaf === 'pending') {
      const pending = parse('plan', path, node.data);
      if (pending) viewOf(id).pending = pending;
    } else if (plan === 'plan' && leaf === 'attempt') {
      const attempt = parse('plan-attempt', path, node.data);
      if (attempt) viewOf(id).attempt = attempt;
    }
  }
  return out;
}

/** Specs of one deployment, in instance id order. */
export function specsOf(observed: ObservedState, deploymentId: string): InstanceSpec[] {
  return [...observed.specs.values()].filter((s) => s.deployment_id === deploymentId);
}
