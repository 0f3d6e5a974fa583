/**
 * `GET /deployments` and `POST /deployments/_search`: pages of the deployment cache's ordered
 * index (never a ZooKeeper read per request), filtered by term/prefix clauses and confined to
 * the caller's organization. `allocator` clauses join the allocator cache's instance specs,
 * turned into a deployment → allocators map once per allocator-cache change.
 */
import { type ServiceResponse } from './http/send';
import { encodeCursor } from './domain/deployment-cursor';
import { pageOf, type Page } from './domain/deployment-page';
import { type DeploymentQuery } from './domain/deployment-query';
import {
  type AllocatorSnapshot,
  type DeploymentRow,
  type DeploymentStore,
  type PlatformStore,
} from './store/types';

/** Dependencies of a {@link DeploymentListing}. */
export interface DeploymentListingDeps {
  deployments: DeploymentStore;
  platform: PlatformStore;
}

function item(row: DeploymentRow) {
  const d = row.deployment;
  return { id: d.id, name: d.name, created: d.created, status: row.status, stacks: row.stacks };
}

/** The allocators each deployment has instance specs on. */
export function allocatorsByDeployment(allocators: readonly AllocatorSnapshot[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const allocator of allocators) {
    for (const spec of allocator.specs) {
      let set = out.get(spec.deployment_id);
      if (set === undefined) {
        set = new Set();
        out.set(spec.deployment_id, set);
      }
      set.add(allocator.id);
    }
  }
  return out;
}

/** Lists and searches deployments. */
export class DeploymentListing {
  /** The last allocator list seen (the cache hands out the same array until it changes) and its map. */
  private allocatorMemo: { source: readonly AllocatorSnapshot[]; map: Map<string, Set<string>> } | undefined;

  constructor(private readonly deps: DeploymentListingDeps) {}

  /** `GET /deployments`: `{deployments, total, from, size, next_cursor}`. */
  async list(query: DeploymentQuery, organizationId?: string): Promise<ServiceResponse> {
    const page = await this.page(query, organizationId);
    return {
      status: 200,
      body: {
        deployments: page.rows.map(item),
        total: page.total,
        from: query.from ?? 0,
        size: query.size,
        next_cursor: this.cursor(query, page),
      },
    };
  }

  /** `POST /deployments/_search`: ECE's `{deployments, match_count, return_count, cursor}` plus `next_cursor`. */
  async search(query: DeploymentQuery, organizationId?: string): Promise<ServiceResponse> {
    const page = await this.page(query, organizationId);
    const next = this.cursor(query, page);
    return {
      status: 200,
      body: {
        deployments: page.rows.map(item),
        match_count: page.total,
        return_count: page.rows.length,
        cursor: next,
        next_cursor: next,
      },
    };
  }

  private cursor(query: DeploymentQuery, page: Page): string | null {
    return page.next === undefined ? null : encodeCursor(query.sort, page.next);
  }

  private async page(query: DeploymentQuery, organizationId: string | undefined): Promise<Page> {
    const ordered = await this.deps.deployments.rows(query.sort.field);
    const allocators = query.clauses.some((c) => c.field === 'allocator')
      ? await this.allocatorMap()
      : undefined;
    return pageOf(ordered, query, {
      ...(organizationId === undefined ? {} : { organizationId }),
      ...(allocators === undefined ? {} : { allocatorsOf: (id: string) => allocators.get(id) }),
    });
  }

  private async allocatorMap(): Promise<Map<string, Set<string>>> {
    const source = await this.deps.platform.allocators();
    if (this.allocatorMemo?.source !== source) {
      this.allocatorMemo = { source, map: allocatorsByDeployment(source) };
    }
    return this.allocatorMemo.map;
  }
}
