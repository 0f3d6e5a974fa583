import { isWharfError } from '@wharf/model';
import { encodeCursor } from './deployment-cursor';
import { DEFAULT_SORT, parseListQuery, parseSearchBody } from './deployment-query';

/** The `details[0].path` of the 400 that `fn` throws. */
function refusedField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isWharfError(err, 'WHARF_BAD_REQUEST')) return (err.details as { path: string }[])[0]?.path;
    throw err;
  }
  return undefined;
}

describe('parseSearchBody', () => {
  it('reads term, prefix and bool (must + filter, object or array) into one conjunction', () => {
    const q = parseSearchBody({
      query: {
        bool: {
          must: [{ prefix: { name: 'ord' } }, { term: { status: { value: 'running' } } }],
          filter: { term: { allocator: 'alloc-1' } },
        },
      },
      size: 5,
      sort: [{ name: { order: 'desc' } }],
    });
    expect(q).toEqual({
      clauses: [
        { field: 'name', op: 'prefix', value: 'ord' },
        { field: 'status', op: 'term', value: 'running' },
        { field: 'allocator', op: 'term', value: 'alloc-1' },
      ],
      sort: { field: 'name', order: 'desc' },
      size: 5,
    });
    expect(parseSearchBody({})).toEqual({ clauses: [], sort: DEFAULT_SORT, size: 100 });
    expect(parseSearchBody({ query: { match_all: {} } }).clauses).toEqual([]);
  });

  it('takes a cursor of the same sort, or search_after', () => {
    const cursor = encodeCursor({ field: 'name', order: 'asc' }, ['orders', 'd1']);
    expect(parseSearchBody({ cursor, sort: ['name'] }).after).toEqual(['orders', 'd1']);
    expect(parseSearchBody({ search_after: ['2025-01-01T00:00:00.000Z', 'd1'] }).after).toEqual([
      '2025-01-01T00:00:00.000Z',
      'd1',
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['unknown body field', { from: 3 }, 'from'],
    ['unknown query kind', { query: { match: { name: 'x' } } }, 'query.match'],
    ['unknown field', { query: { term: { colour: 'red' } } }, 'query.term.colour'],
    [
      'unknown field in bool',
      { query: { bool: { must: [{ prefix: { owner: 'x' } }] } } },
      'query.bool.must[0].prefix.owner',
    ],
    ['nested bool', { query: { bool: { filter: [{ bool: {} }] } } }, 'query.bool.filter[0].bool'],
    ['should', { query: { bool: { should: [] } } }, 'query.bool.should'],
    ['two fields in one term', { query: { term: { name: 'a', stack: 'etcd' } } }, 'query.term'],
    ['status outside the vocabulary', { query: { term: { status: 'runing' } } }, 'query.term.status'],
    ['empty value', { query: { prefix: { name: { value: '' } } } }, 'query.prefix.name.value'],
    ['size too big', { size: 1001 }, 'size'],
    ['size not an integer', { size: 1.5 }, 'size'],
    ['garbage cursor', { cursor: 'not a cursor!' }, 'cursor'],
    [
      'cursor of another sort',
      { cursor: encodeCursor({ field: 'name', order: 'asc' }, ['a', 'b']) },
      'cursor',
    ],
    ['cursor and search_after', { cursor: 'x', search_after: ['a', 'b'] }, 'search_after'],
    ['bad search_after', { search_after: ['a'] }, 'search_after'],
    ['unknown sort field', { sort: ['owner'] }, 'sort[0]'],
    ['bad sort order', { sort: [{ created: 'up' }] }, 'sort[0].created'],
  ])('refuses %s naming the field', (_what, body, field) => {
    expect(refusedField(() => parseSearchBody(body))).toBe(field);
  });
});

describe('parseListQuery', () => {
  it('turns the filters into clauses; from and cursor exclude each other', () => {
    const q = parseListQuery({
      name_prefix: 'ord',
      stack: 'etcd',
      status: 'running',
      allocator: 'a1',
      size: '7',
    });
    expect(q.clauses.map((c) => `${c.op}:${c.field}=${c.value}`)).toEqual([
      'prefix:name=ord',
      'term:stack=etcd',
      'term:status=running',
      'term:allocator=a1',
    ]);
    expect(q.size).toBe(7);
    expect(parseListQuery({}).size).toBe(100);
    const cursor = encodeCursor(DEFAULT_SORT, ['2025-01-01T00:00:00.000Z', 'd1']);
    expect(refusedField(() => parseListQuery({ from: '1', cursor }))).toBe('cursor');
    expect(refusedField(() => parseListQuery({ stack: 'mysql' }))).toBe('stack');
    expect(refusedField(() => parseListQuery({ size: '1001' }))).toBe('size');
  });
});
