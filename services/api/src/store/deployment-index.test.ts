import { type Deployment } from '@wharf/model';
import { pageOf } from '../domain/deployment-page';
import { DEFAULT_SORT, type DeploymentQuery } from '../domain/deployment-query';
import { DeploymentIndex, planFacts } from './deployment-index';

const record = (id: string, name: string, created: string): Deployment => ({
  schema_version: 1,
  id,
  name,
  created,
  updated: created,
});
const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
const ids = (rows: readonly { deployment: Deployment }[]) => rows.map((r) => r.deployment.id);

describe('DeploymentIndex', () => {
  it('keeps both orders sorted through adds, updates and removals, without re-sorting', () => {
    const index = new DeploymentIndex();
    index.reset([
      ['b', { deployment: record('b', 'zeta', at(2)) }],
      ['a', { deployment: record('a', 'alpha', at(1)) }],
    ]);
    index.setRecord('c', record('c', 'mid', at(3)));
    index.setRecord('d', record('d', 'alpha', at(1))); // same created and name as `a`: id breaks the tie
    expect(ids(index.ordered('created'))).toEqual(['a', 'd', 'b', 'c']);
    expect(ids(index.ordered('name'))).toEqual(['a', 'd', 'c', 'b']);
    index.setRecord('b', record('b', 'beta', at(2))); // renamed
    expect(ids(index.ordered('name'))).toEqual(['a', 'd', 'b', 'c']);
    index.remove('a');
    expect(ids(index.ordered('created'))).toEqual(['d', 'b', 'c']);
    expect(index.size).toBe(3);
  });

  it('derives status and stacks from the plans, and lists a deployment only with a readable record', () => {
    const index = new DeploymentIndex();
    const etcd = { etcd: [{}] } as never;
    index.setPlan('x', 'pending', planFacts({ resources: etcd } as never));
    expect(index.size).toBe(0);
    index.setRecord('x', record('x', 'x', at(1)));
    expect(index.ordered('created')[0]).toMatchObject({ status: 'creating', stacks: ['etcd'] });
    index.setPlan('x', 'current', planFacts({ resources: { http: [{}] }, stopped: { all: true } } as never));
    index.setPlan('x', 'pending', undefined);
    expect(index.ordered('created')[0]).toMatchObject({ status: 'stopped', stacks: ['http'] });
    index.setRecord('x', undefined);
    expect(index.size).toBe(0);
  });
});

describe('pageOf', () => {
  const index = new DeploymentIndex();
  index.reset(
    Array.from({ length: 50 }, (_, i) => {
      const id = `d${String(i).padStart(2, '0')}`;
      return [
        id,
        { deployment: { ...record(id, `n${i % 5}`, at(i)), ...(i % 2 ? { organization_id: 'org-a' } : {}) } },
      ];
    }),
  );
  const query = (q: Partial<DeploymentQuery>): DeploymentQuery => ({
    clauses: [],
    sort: DEFAULT_SORT,
    size: 7,
    ...q,
  });

  it('walks every match exactly once by cursor, in both directions', () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let after: DeploymentQuery['after'];
      for (let pages = 0; pages < 20; pages++) {
        const page = pageOf(
          index.ordered('name'),
          query({ sort: { field: 'name', order }, ...(after ? { after } : {}) }),
          {},
        );
        seen.push(...ids(page.rows));
        expect(page.total).toBe(50);
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(seen).toHaveLength(50);
      expect(new Set(seen).size).toBe(50);
    }
  });

  it('filters by clause and organization, counting every match', () => {
    const page = pageOf(
      index.ordered('created'),
      query({ clauses: [{ field: 'name', op: 'term', value: 'n1' }], size: 100 }),
      { organizationId: 'org-a' },
    );
    expect(ids(page.rows)).toEqual(['d01', 'd11', 'd21', 'd31', 'd41']);
    expect(page).toMatchObject({ total: 5 });
    expect(page.next).toBeUndefined();
  });
});
