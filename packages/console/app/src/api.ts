/**
 * The console's only way to the api: same-origin `fetch` with `Authorization: ApiKey <key>`.
 * The key is kept in sessionStorage (gone with the tab, never in a URL). Failures come back as
 * {@link ApiError} carrying the api's `{ error: { code, message, details } }`.
 */

/** Every API route lives under this prefix (same origin as the console). */
export const API_PREFIX = '/api/v1';
const KEY_STORAGE = 'wharf.apiKey';

/** One field problem as the api (and the console's own validators) report it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A failed API call. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[],
  ) {
    super(message);
  }
}

/** The signed-in API key, if any. */
export function storedKey(): string | undefined {
  return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
}

/** Remembers (or, with undefined, forgets) the API key for this tab. */
export function storeKey(key: string | undefined): void {
  if (key === undefined) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

/** Headers of an authenticated request. */
export function authHeaders(key = storedKey()): Record<string, string> {
  return key === undefined ? {} : { authorization: `ApiKey ${key}` };
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const { error } = JSON.parse(text) as {
      error: { code: string; message: string; details?: FieldIssue[] };
    };
    return new ApiError(res.status, error.code, error.message, error.details ?? []);
  } catch {
    return new ApiError(res.status, 'WHARF_HTTP', `HTTP ${res.status}`, []);
  }
}

/** Calls the api; resolves with the parsed body of a 2xx, rejects with {@link ApiError}. */
export async function api<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
  const res = await fetch(`${API_PREFIX}${path}`, {
    method,
    headers: {
      ...authHeaders(key ?? storedKey()),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!res.ok) throw await toError(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
