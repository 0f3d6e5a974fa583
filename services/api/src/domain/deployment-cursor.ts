/**
 * The opaque cursor of deployment pages: the sort key of the last deployment returned (its
 * `created` or `name`, and its id) plus the sort it belongs to, base64url-encoded JSON. A
 * position by key, not an offset, so deployments created or deleted between two pages neither
 * repeat nor skip any other deployment. Pure.
 */
import { MAX_CURSOR_LENGTH, MAX_SEARCH_VALUE_LENGTH } from '@wharf/model';
import { badRequest } from '../http/errors';

/** `[<sort field value>, <id>]` of one deployment. */
export type SortKey = readonly [string, string];

/** The sort a cursor belongs to (structurally `SearchSort` of `deployment-query.ts`). */
export interface CursorSort {
  field: string;
  order: 'asc' | 'desc';
}

interface CursorBody {
  s: string;
  o: string;
  k: [string, string];
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The cursor that continues after `key` in `sort`. */
export function encodeCursor(sort: CursorSort, key: SortKey): string {
  const body: CursorBody = { s: sort.field, o: sort.order, k: [key[0], key[1]] };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function parsed(raw: string): CursorBody | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const body = value as Partial<CursorBody>;
    const key = body.k;
    const ok =
      typeof body.s === 'string' &&
      typeof body.o === 'string' &&
      Array.isArray(key) &&
      key.length === 2 &&
      key.every((v) => typeof v === 'string' && v.length <= MAX_SEARCH_VALUE_LENGTH);
    return ok ? (body as CursorBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The key of a cursor issued for `sort`; 400 naming `path` for anything else. */
export function decodeCursor(raw: unknown, sort: CursorSort, path: string): SortKey {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !BASE64URL.test(raw))
    throw badRequest(path, 'must be the next_cursor of a previous page');
  const body = parsed(raw);
  if (body === undefined) throw badRequest(path, 'must be the next_cursor of a previous page');
  if (body.s !== sort.field || body.o !== sort.order)
    throw badRequest(path, `was issued for another sort (${body.s.slice(0, 16)} ${body.o.slice(0, 4)})`);
  return [body.k[0], body.k[1]];
}
