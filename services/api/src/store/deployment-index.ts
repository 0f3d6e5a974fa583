/**
 * The deployment cache's index: one {@link DeploymentRow} per readable deployment, kept in two
 * sorted arrays (by `created` and by `name`, then id) that each change updates in place — a
 * binary search and one splice — so no request ever sorts 10,000 rows. Rows are immutable: a
 * change replaces the row. Pure (fed decoded documents by `deployment-cache.ts`).
 */
import {
  STACK_KINDS,
  type Deployment,
  type PlanDocument,
  type SearchSortField,
  type StackKind,
} from '@wharf/model';
import { withShutDown } from '../domain/actions';
import { deploymentStatus } from '../domain/views';
import { type DeploymentRow } from './types';

/** What the index keeps of a `plan/pending` or `plan/current` (present: the znode exists). */
export interface PlanFacts {
  stacks: readonly StackKind[];
  stopped: PlanDocument['stopped'];
}

/** The cached plan node names the index tracks. */
export type TrackedPlan = 'pending' | 'current';

interface Facts {
  deployment?: Deployment;
  pending?: PlanFacts;
  current?: PlanFacts;
}

/** The facts of a plan document (undefined contents: an unreadable one, which still exists). */
export function planFacts(plan: PlanDocument | undefined): PlanFacts {
  const resources = (plan?.resources ?? {}) as Partial<Record<StackKind, unknown[]>>;
  return {
    stacks: STACK_KINDS.filter((kind) => (resources[kind]?.length ?? 0) > 0),
    stopped: plan?.stopped,
  };
}

function rowOf(facts: Facts): DeploymentRow | undefined {
  const { deployment, pending, current } = facts;
  if (deployment === undefined) return undefined;
  const planNodes = [...(pending ? ['pending'] : []), ...(current ? ['current'] : [])];
  const stopped = current?.stopped;
  const kinds = new Set([...(pending?.stacks ?? []), ...(current?.stacks ?? [])]);
  return {
    deployment,
    planNodes,
    ...(stopped === undefined ? {} : { currentStopped: stopped }),
    // The same derivation as `GET /deployments/<id>`: a settled deployment whose current plan shuts it down.
    status: withShutDown(deploymentStatus(deployment, planNodes), { stopped }),
    stacks: STACK_KINDS.filter((kind) => kinds.has(kind)),
  };
}

/** Rows ascending by one field, then id. */
class SortedRows {
  readonly rows: DeploymentRow[] = [];

  constructor(private readonly field: SearchSortField) {}

  private before(a: DeploymentRow, b: DeploymentRow): boolean {
    const x = a.deployment[this.field];
    const y = b.deployment[this.field];
    return x !== y ? x < y : a.deployment.id < b.deployment.id;
  }

  /** First index whose row is not before `row`. */
  private lowerBound(row: DeploymentRow): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(this.rows[mid]!, row)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(row: DeploymentRow): void {
    this.rows.splice(this.lowerBound(row), 0, row);
  }

  remove(row: DeploymentRow): void {
    const at = this.lowerBound(row);
    if (this.rows[at] === row) this.rows.splice(at, 1);
  }

  reset(rows: DeploymentRow[]): void {
    this.rows.length = 0;
    this.rows.push(...rows.sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0)));
  }
}

/** Rows by id and in both orders. */
export class DeploymentIndex {
  private readonly facts = new Map<string, Facts>();
  private readonly byId = new Map<string, DeploymentRow>();
  private readonly orders = { created: new SortedRows('created'), name: new SortedRows('name') };

  /** Number of readable deployments. */
  get size(): number {
    return this.byId.size;
  }

  /** Every row ascending by `order`, then id (the index's own array: do not modify). */
  ordered(order: SearchSortField): readonly DeploymentRow[] {
    return this.orders[order].rows;
  }

  /** Sets (or, undefined, clears) the record of `id`. */
  setRecord(id: string, deployment: Deployment | undefined): void {
    this.change(id, (f) => (deployment === undefined ? delete f.deployment : (f.deployment = deployment)));
  }

  /** Sets (or, undefined: the znode went, clears) a plan of `id`. */
  setPlan(id: string, which: TrackedPlan, facts: PlanFacts | undefined): void {
    this.change(id, (f) => (facts === undefined ? delete f[which] : (f[which] = facts)));
  }

  /** Forgets `id` entirely. */
  remove(id: string): void {
    this.replace(id, undefined);
    this.facts.delete(id);
  }

  /** Replaces everything (a first load): one sort per order instead of 10,000 inserts. */
  reset(
    entries: Iterable<[string, { deployment?: Deployment; pending?: PlanFacts; current?: PlanFacts }]>,
  ): void {
    this.facts.clear();
    this.byId.clear();
    for (const [id, facts] of entries) {
      this.facts.set(id, facts);
      const row = rowOf(facts);
      if (row !== undefined) this.byId.set(id, row);
    }
    for (const order of Object.values(this.orders)) order.reset([...this.byId.values()]);
  }

  private change(id: string, edit: (facts: Facts) => unknown): void {
    let facts = this.facts.get(id);
    if (facts === undefined) {
      facts = {};
      this.facts.set(id, facts);
    }
    edit(facts);
    this.replace(id, rowOf(facts));
  }

  private replace(id: string, row: DeploymentRow | undefined): void {
    const old = this.byId.get(id);
    if (old !== undefined) for (const order of Object.values(this.orders)) order.remove(old);
    if (row === undefined) {
      this.byId.delete(id);
      return;
    }
    this.byId.set(id, row);
    for (const order of Object.values(this.orders)) order.insert(row);
  }
}
