/**
 * `GET /deployments` (cursor pages, filters) and `POST /deployments/_search` against a real
 * ZooKeeper holding 300 deployments written directly (as the api and the constructor leave them):
 * a cursor walk returns every deployment exactly once, also while deployments are created and
 * deleted between pages; filters and queries return exactly the matches; bad input is a 400
 * naming the field.
 */
import { paths } from '@wharf/model';
import { seedDeployments, waitFor, type SeedDeployment } from '@wharf/testkit';
import { useApiHarness } from './helpers/harness';

jest.setTimeout(60_000);

const COUNT = 300;
const T0 = Date.UTC(2026, 0, 1);
const ALLOCATORS = ['alloc-a', 'alloc-b', 'alloc-c'];

/** Seeded deployment `i`; pairs share a `created` so the id breaks ties. */
const seed = (i: number): Required<Omit<SeedDeployment, 'organizationId'>> => ({
  id: `d${(i * 7919) % 1000}x${i}`,
  name: `svc-${i % 10}-${i}`,
  created: new Date(T0 + Math.floor(i / 2) * 1000).toISOString(),
  stack: i % 3 === 0 ? 'http' : 'etcd',
  status: i % 4 === 0 ? 'creating' : 'running',
  allocator: ALLOCATORS[i % 3]!,
});
const SEEDS = Array.from({ length: COUNT }, (_, i) => seed(i));
const byCreated = (a: SeedDeployment, b: SeedDeployment) =>
  a.created! !== b.created! ? (a.created! < b.created! ? -1 : 1) : a.id < b.id ? -1 : 1;

describe('deployment list and search at scale', () => {
  const { h } = useApiHarness('/api-search');
  const LIST = '/api/v1/deployments';
  const SEARCH = '/api/v1/deployments/_search';

  /** Every id from following `next_cursor` from `first`, calling `between` after each page. */
  async function walk(first: string, between: (page: number) => Promise<void> = async () => {}) {
    const seen: string[] = [];
    let path = first;
    for (let page = 0; page < 100; page++) {
      const res = await h.call('GET', path);
      expect(res.status).toBe(200);
      seen.push(...res.body.deployments.map((d: { id: string }) => d.id));
      if (res.body.next_cursor === null) return seen;
      await between(page);
      path = `${first}${first.includes('?') ? '&' : '?'}cursor=${res.body.next_cursor}`;
    }
    throw new Error('the walk did not end');
  }

  beforeAll(async () => {
    for (const a of ALLOCATORS) {
      await h.zk.create(paths.allocator(a));
      await h.zk.create(paths.allocatorInstances(a));
    }
    await seedDeployments(h.zk, SEEDS);
    await waitFor(async () => (await h.call('GET', `${LIST}?size=0`)).body.total === COUNT);
  });

  it('walks every deployment exactly once, oldest first, by cursor', async () => {
    const seen = await walk(`${LIST}?size=37`);
    expect(seen).toEqual([...SEEDS].sort(byCreated).map((d) => d.id));
    const last = await h.call('GET', `${LIST}?size=1000`);
    expect(last.body).toMatchObject({ total: COUNT, size: 1000, from: 0, next_cursor: null });
    expect(last.body.deployments[0]).toEqual({
      id: expect.any(String),
      name: expect.stringMatching(/^svc-/),
      created: expect.any(String),
      status: expect.stringMatching(/^(creating|running)$/),
      stacks: [expect.stringMatching(/^(etcd|http)$/)],
    });
  });

  it('filters by name prefix, stack, status and allocator, exactly', async () => {
    const expected = SEEDS.filter(
      (d) =>
        d.name.startsWith('svc-3') &&
        d.stack === 'http' &&
        d.status === 'running' &&
        d.allocator === 'alloc-a',
    )
      .sort(byCreated)
      .map((d) => d.id);
    expect(expected.length).toBeGreaterThan(3);
    const query = 'name_prefix=svc-3&stack=http&status=running&allocator=alloc-a';
    expect(await walk(`${LIST}?${query}&size=2`)).toEqual(expected);
    const res = await h.call('GET', `${LIST}?${query}`);
    expect(res.body.total).toBe(expected.length);
    expect((await h.call('GET', `${LIST}?allocator=alloc-z`)).body).toMatchObject({
      total: 0,
      deployments: [],
    });
  });

  it('searches with bool/term/prefix, sorts by name both ways and continues by cursor or search_after', async () => {
    const query = {
      bool: { must: [{ prefix: { name: 'svc-2' } }], filter: { term: { status: 'creating' } } },
    };
    const expected = SEEDS.filter((d) => d.name.startsWith('svc-2') && d.status === 'creating').sort(
      (a, b) => (a.name < b.name ? 1 : -1),
    );
    const first = await h.call('POST', SEARCH, { query, size: 3, sort: [{ name: 'desc' }] });
    expect(first.status).toBe(200);
    expect(expected.length).toBeGreaterThan(5);
    expect(first.body).toMatchObject({ match_count: expected.length, return_count: 3 });
    expect(first.body.cursor).toBe(first.body.next_cursor);
    const names = first.body.deployments.map((d: { name: string }) => d.name);
    expect(names).toEqual(expected.slice(0, 3).map((d) => d.name));
    const next = await h.call('POST', SEARCH, {
      query,
      size: 100,
      sort: [{ name: 'desc' }],
      cursor: first.body.cursor,
    });
    expect(next.body.deployments.map((d: { name: string }) => d.name)).toEqual(
      expected.slice(3).map((d) => d.name),
    );
    expect(next.body.next_cursor).toBeNull();
    const lastSeen = first.body.deployments[2];
    const after = await h.call('POST', SEARCH, {
      query,
      sort: [{ name: { order: 'desc' } }],
      search_after: [lastSeen.name, lastSeen.id],
    });
    expect(after.body.deployments).toEqual(next.body.deployments);
    const all = await h.call('POST', SEARCH, { query: { term: { allocator: 'alloc-c' } }, size: 1000 });
    expect(all.body.match_count).toBe(SEEDS.filter((d) => d.allocator === 'alloc-c').length);
  });

  it.each<[string, string, unknown, string]>([
    ['GET', `?size=1001`, undefined, 'size'],
    ['GET', `?cursor=bm9wZQ`, undefined, 'cursor'],
    ['GET', `?stack=mysql`, undefined, 'stack'],
    ['GET', `?owner=me`, undefined, 'owner'],
    ['POST', '', { query: { match: { name: 'x' } } }, 'query.match'],
    ['POST', '', { query: { term: { colour: 'red' } } }, 'query.term.colour'],
    ['POST', '', { from: 10 }, 'from'],
    ['POST', '', { size: -1 }, 'size'],
    ['POST', '', { cursor: '!!' }, 'cursor'],
  ])('refuses %s %s %j naming %s', async (method, suffix, body, field) => {
    const res = await h.call(method, method === 'GET' ? `${LIST}${suffix}` : SEARCH, body);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe(field);
  });

  it('walks each deployment once while others are created and deleted between pages', async () => {
    const before = [...SEEDS].sort(byCreated).map((d) => d.id);
    const deleted = new Set<string>();
    const created: string[] = [];
    const seen = await walk(`${LIST}?size=25`, async (page) => {
      // One already listed (an offset would now skip one) and one not reached yet.
      for (const id of [before[page * 25], before[before.length - 1 - page]]) {
        await h.zk.deleteRecursive(paths.deployment(id!));
        deleted.add(id!);
      }
      const id = `new${page}`;
      await seedDeployments(h.zk, [{ id, name: `late-${page}` }]);
      created.push(id);
      await waitFor(async () => {
        const total = (await h.call('GET', `${LIST}?size=0`)).body.total;
        return total === COUNT - deleted.size + created.length;
      });
    });
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = before.filter((id) => !deleted.has(id));
    for (const id of survivors) expect(seen).toContain(id);
    // Deleted before the walk reached them: never listed.
    for (let page = 0; page < 5; page++) expect(seen).not.toContain(before[before.length - 1 - page]);
    // Created during the walk (newest, so after every cursor): listed at the end.
    expect(seen.slice(-created.length)).toEqual(created);
  });
});
