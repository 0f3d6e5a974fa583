/**
 * One page of deployments from the cache's ordered index: one pass that counts every match
 * (`total`), starts after the cursor's key, and stops filling at `size`. Pure; at 10,000
 * deployments a pass is well under a millisecond (docs/benchmarks.md, api-scale).
 */
import { type DeploymentRow } from '../store/types';
import { type SortKey } from './deployment-cursor';
import { type Clause, type DeploymentQuery, type SearchSort } from './deployment-query';

/** What a page is computed with besides the query. */
export interface PageScope {
  /** Only this organization's deployments (a key of an organization); undefined: every one. */
  organizationId?: string;
  /** The allocators running a deployment's instances (needed only by `allocator` clauses). */
  allocatorsOf?: (deploymentId: string) => ReadonlySet<string> | undefined;
}

/** A page: its rows, how many match in all, and the key to continue after (when more match). */
export interface Page {
  rows: DeploymentRow[];
  total: number;
  next?: SortKey;
}

/** The sort key of a row. */
export function sortKey(row: DeploymentRow, sort: SearchSort): SortKey {
  return [sort.field === 'created' ? row.deployment.created : row.deployment.name, row.deployment.id];
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function valuesOf(row: DeploymentRow, clause: Clause, scope: PageScope): Iterable<string> {
  switch (clause.field) {
    case 'name':
      return [row.deployment.name];
    case 'status':
      return [row.status];
    case 'stack':
      return row.stacks;
    case 'allocator':
      return scope.allocatorsOf?.(row.deployment.id) ?? [];
  }
}

function matches(row: DeploymentRow, clauses: readonly Clause[], scope: PageScope): boolean {
  if (scope.organizationId !== undefined && row.deployment.organization_id !== scope.organizationId)
    return false;
  for (const clause of clauses) {
    let hit = false;
    for (const value of valuesOf(row, clause, scope)) {
      hit = clause.op === 'term' ? value === clause.value : value.startsWith(clause.value);
      if (hit) break;
    }
    if (!hit) return false;
  }
  return true;
}

/** The page `query` asks for over `ordered` (ascending by the query's sort field, then id). */
export function pageOf(ordered: readonly DeploymentRow[], query: DeploymentQuery, scope: PageScope): Page {
  const { sort, size, after } = query;
  const desc = sort.order === 'desc';
  const rows: DeploymentRow[] = [];
  let total = 0;
  let skip = query.from ?? 0;
  let more = false;
  for (let n = 0; n < ordered.length; n++) {
    const row = ordered[desc ? ordered.length - 1 - n : n]!;
    if (!matches(row, query.clauses, scope)) continue;
    total++;
    if (after !== undefined) {
      const c = compareKeys(sortKey(row, sort), after);
      if (desc ? c >= 0 : c <= 0) continue;
    }
    if (skip > 0) skip--;
    else if (rows.length < size) rows.push(row);
    else more = true;
  }
  const last = rows.at(-1);
  return { rows, total, ...(more && last !== undefined ? { next: sortKey(last, sort) } : {}) };
}
