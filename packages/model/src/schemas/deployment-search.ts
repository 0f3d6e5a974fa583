/**
 * `POST /deployments/_search` (ECE's shape, a small subset) and the filters of
 * `GET /deployments`: term and prefix queries on a deployment's name, stack, status and
 * allocators, joined by `bool.must`/`bool.filter`; a page size, an opaque cursor and one sort
 * field. The api checks requests with its own parser (errors name the exact field); this schema
 * describes them (OpenAPI) and the constants are shared with the CLI.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Fields a query may name. */
export const SEARCH_FIELDS = ['name', 'stack', 'status', 'allocator'] as const;
/** A field a query may name. */
export type SearchField = (typeof SEARCH_FIELDS)[number];
/** Statuses a deployment is listed with (`GET /deployments/<id>` `status`). */
export const DEPLOYMENT_STATUSES = [
  'creating',
  'updating',
  'running',
  'stopped',
  'deleting',
  'inactive',
] as const;
/** Fields results may be sorted by (ties broken by id, in the same direction). */
export const SEARCH_SORT_FIELDS = ['created', 'name'] as const;
/** A sort field. */
export type SearchSortField = (typeof SEARCH_SORT_FIELDS)[number];
/** Page size when none is asked for. */
export const DEFAULT_SEARCH_SIZE = 100;
/** Largest page: a CLI `--all` walks 10,000 deployments in 10 requests. */
export const MAX_SEARCH_SIZE = 1000;
/** Longest term or prefix value (names are at most 256 characters). */
export const MAX_SEARCH_VALUE_LENGTH = 256;
/** Most clauses in one `bool` (each is one predicate per deployment per request). */
export const MAX_SEARCH_CLAUSES = 32;
/** Longest cursor accepted (they are ~100 characters; bounded for hostile input). */
export const MAX_CURSOR_LENGTH = 1024;

const Value = () => Type.String({ minLength: 1, maxLength: MAX_SEARCH_VALUE_LENGTH });
const FieldValues = () =>
  Type.Object(
    Object.fromEntries(
      SEARCH_FIELDS.map((f) => [
        f,
        Type.Optional(
          Type.Union([Value(), Type.Object({ value: Value() }, { additionalProperties: false })]),
        ),
      ]),
    ),
    { additionalProperties: false, minProperties: 1, maxProperties: 1 },
  );
const Leaf = () =>
  Type.Union([
    Type.Object(
      { match_all: Type.Object({}, { additionalProperties: false }) },
      { additionalProperties: false },
    ),
    Type.Object({ term: FieldValues() }, { additionalProperties: false }),
    Type.Object({ prefix: FieldValues() }, { additionalProperties: false }),
  ]);
const Clauses = () => Type.Union([Leaf(), Type.Array(Leaf(), { maxItems: MAX_SEARCH_CLAUSES })]);
const SortField = () => Type.Union(SEARCH_SORT_FIELDS.map((f) => Type.Literal(f)));
const Order = () => Type.Union([Type.Literal('asc'), Type.Literal('desc')]);

/** The body of `POST /deployments/_search`. */
export const DeploymentSearchRequestSchema = Type.Object(
  {
    query: Type.Optional(
      Type.Union([
        Leaf(),
        Type.Object(
          {
            bool: Type.Object(
              { must: Type.Optional(Clauses()), filter: Type.Optional(Clauses()) },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SEARCH_SIZE })),
    /** `next_cursor` of the previous page. */
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_CURSOR_LENGTH })),
    /** The sort values of the last hit seen: `[<created or name>, <id>]`. */
    search_after: Type.Optional(Type.Tuple([Value(), Value()])),
    /** One field: `"created"`, `{"name": "desc"}` or `{"name": {"order": "desc"}}` (default `created` ascending). */
    sort: Type.Optional(
      Type.Array(
        Type.Union([
          SortField(),
          Type.Record(SortField(), Type.Union([Order(), Type.Object({ order: Order() })])),
        ]),
        { maxItems: 1 },
      ),
    ),
  },
  { additionalProperties: false },
);
/** A `_search` body. */
export type DeploymentSearchRequest = Static<typeof DeploymentSearchRequestSchema>;
