/**
 * Reads a deployment search (`POST /deployments/_search` body) or list filters (`GET
 * /deployments` query) into one {@link DeploymentQuery}: a conjunction of term/prefix clauses,
 * a sort, a page size and where to start. Pure; every rejection is a 400 naming the field.
 */
import {
  DEFAULT_SEARCH_SIZE,
  DEPLOYMENT_STATUSES,
  MAX_SEARCH_CLAUSES,
  MAX_SEARCH_SIZE,
  MAX_SEARCH_VALUE_LENGTH,
  SEARCH_FIELDS,
  SEARCH_SORT_FIELDS,
  STACK_KINDS,
  type SearchField,
  type SearchSortField,
} from '@wharf/model';
import { badRequest } from '../http/errors';
import { intParam } from '../http/query';
import { decodeCursor, type SortKey } from './deployment-cursor';

/** One predicate on a deployment. */
export interface Clause {
  field: SearchField;
  op: 'term' | 'prefix';
  value: string;
}

/** The order of results; ties are broken by id in the same direction. */
export interface SearchSort {
  field: SearchSortField;
  order: 'asc' | 'desc';
}

/** A parsed list or search request. */
export interface DeploymentQuery {
  clauses: Clause[];
  sort: SearchSort;
  size: number;
  /** Start after this key (a cursor or `search_after`). */
  after?: SortKey;
  /** Legacy offset paging of `GET /deployments` (matches skipped). */
  from?: number;
}

/** The default order: oldest first, as `GET /deployments` has always listed. */
export const DEFAULT_SORT: SearchSort = Object.freeze({ field: 'created', order: 'asc' });

const LEAF_KINDS = ['match_all', 'term', 'prefix'] as const;
const BODY_FIELDS = ['query', 'size', 'cursor', 'search_after', 'sort'];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(value: unknown, path: string, allowed: readonly string[]): Json {
  if (!isObject(value)) throw badRequest(path, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw badRequest(path ? `${path}.${key}` : key, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return value;
}

function single(value: unknown, path: string, allowed: readonly string[], what: string): [string, unknown] {
  const obj = only(value, path, allowed);
  const keys = Object.keys(obj);
  if (keys.length !== 1) throw badRequest(path, `must name exactly one ${what} (${allowed.join(', ')})`);
  return [keys[0]!, obj[keys[0]!]];
}

/** Checks a clause value, including the vocabulary of `stack` and `status` terms. */
export function clauseOf(field: SearchField, op: Clause['op'], value: unknown, path: string): Clause {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SEARCH_VALUE_LENGTH)
    throw badRequest(path, `must be a string of 1 to ${MAX_SEARCH_VALUE_LENGTH} characters`);
  const vocabulary = field === 'stack' ? STACK_KINDS : field === 'status' ? DEPLOYMENT_STATUSES : undefined;
  if (op === 'term' && vocabulary && !(vocabulary as readonly string[]).includes(value))
    throw badRequest(path, `must be one of ${vocabulary.join(', ')}`);
  return { field, op, value };
}

function leaf(value: unknown, path: string): Clause[] {
  const [kind, body] = single(value, path, LEAF_KINDS, 'query');
  const at = path ? `${path}.${kind}` : kind;
  if (kind === 'match_all') {
    only(body, at, []);
    return [];
  }
  const [field, spec] = single(body, at, SEARCH_FIELDS, 'field');
  const fieldPath = `${at}.${field}`;
  const raw = isObject(spec) ? only(spec, fieldPath, ['value']).value : spec;
  return [
    clauseOf(
      field as SearchField,
      kind as Clause['op'],
      raw,
      isObject(spec) ? `${fieldPath}.value` : fieldPath,
    ),
  ];
}

function clauses(value: unknown, path: string): Clause[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_SEARCH_CLAUSES)
    throw badRequest(path, `must have at most ${MAX_SEARCH_CLAUSES} clauses`);
  return list.flatMap((q, i) => leaf(q, Array.isArray(value) ? `${path}[${i}]` : path));
}

/** The clauses of a `query` object: a leaf query or a `bool` of leaf queries. */
export function queryClauses(value: unknown): Clause[] {
  if (value === undefined) return [];
  const [kind, body] = single(value, 'query', ['bool', ...LEAF_KINDS], 'query');
  if (kind !== 'bool') return leaf(value, 'query');
  const bool = only(body, 'query.bool', ['must', 'filter']);
  return [
    ...(bool.must === undefined ? [] : clauses(bool.must, 'query.bool.must')),
    ...(bool.filter === undefined ? [] : clauses(bool.filter, 'query.bool.filter')),
  ];
}

/** `sort`: one field, as a name or `{field: order}` / `{field: {order}}`. */
export function sortOf(value: unknown): SearchSort {
  if (value === undefined) return DEFAULT_SORT;
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1) throw badRequest('sort', 'must name exactly one field');
  const entry: unknown = list[0];
  const path = Array.isArray(value) ? 'sort[0]' : 'sort';
  if (typeof entry === 'string') {
    if (!(SEARCH_SORT_FIELDS as readonly string[]).includes(entry))
      throw badRequest(path, `must be one of ${SEARCH_SORT_FIELDS.join(', ')}`);
    return { field: entry as SearchSortField, order: 'asc' };
  }
  const [field, spec] = single(entry, path, SEARCH_SORT_FIELDS, 'field');
  const raw = isObject(spec) ? only(spec, `${path}.${field}`, ['order']).order : spec;
  if (raw !== 'asc' && raw !== 'desc') throw badRequest(`${path}.${field}`, 'order must be asc or desc');
  return { field: field as SearchSortField, order: raw };
}

function sizeOf(value: unknown): number {
  if (value === undefined) return DEFAULT_SEARCH_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SEARCH_SIZE)
    throw badRequest('size', `must be an integer from 0 to ${MAX_SEARCH_SIZE}`);
  return value;
}

function searchAfter(value: unknown): SortKey {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_SEARCH_VALUE_LENGTH);
  if (!ok) throw badRequest('search_after', 'must be [<sort value>, <id>] of the last hit, two strings');
  return value as unknown as SortKey;
}

/** A `_search` body. */
export function parseSearchBody(body: Json): DeploymentQuery {
  only(body, '', BODY_FIELDS);
  const sort = sortOf(body.sort);
  if (body.cursor !== undefined && body.search_after !== undefined)
    throw badRequest('search_after', 'cannot be combined with cursor');
  const after =
    body.cursor !== undefined
      ? decodeCursor(body.cursor, sort, 'cursor')
      : body.search_after !== undefined
        ? searchAfter(body.search_after)
        : undefined;
  return {
    clauses: queryClauses(body.query),
    sort,
    size: sizeOf(body.size),
    ...(after === undefined ? {} : { after }),
  };
}

/** Parameters of `GET /deployments` ({@link parseListQuery}). */
export const LIST_PARAMS = ['from', 'size', 'cursor', 'name_prefix', 'stack', 'status', 'allocator'] as const;
/** Largest `from`: deeper offset paging than this is a scraper, not a person (cursors have no limit). */
export const MAX_PAGE_FROM = 100_000;

/** The query parameters of `GET /deployments` (already checked by `allowOnly`). */
export function parseListQuery(params: Record<string, unknown>): DeploymentQuery {
  const from = intParam(params, 'from', 0, MAX_PAGE_FROM);
  if (from !== undefined && params.cursor !== undefined)
    throw badRequest('cursor', 'cannot be combined with from');
  const filters: [string, SearchField, Clause['op']][] = [
    ['name_prefix', 'name', 'prefix'],
    ['stack', 'stack', 'term'],
    ['status', 'status', 'term'],
    ['allocator', 'allocator', 'term'],
  ];
  const clauses = filters.flatMap(([param, field, op]) =>
    params[param] === undefined ? [] : [clauseOf(field, op, params[param], param)],
  );
  return {
    clauses,
    sort: DEFAULT_SORT,
    size: intParam(params, 'size', 0, MAX_SEARCH_SIZE, DEFAULT_SEARCH_SIZE),
    ...(params.cursor === undefined ? {} : { after: decodeCursor(params.cursor, DEFAULT_SORT, 'cursor') }),
    ...(from === undefined ? {} : { from }),
  };
}
