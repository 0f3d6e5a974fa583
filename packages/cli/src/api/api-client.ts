/** A small client for the Wharf REST API (`/api/v1`): API-key auth, JSON in and out, coded errors. */
import { WharfError, isWharfError } from '@wharf/model';
import { createCaFetch } from '@wharf/platform';
import { describeFetchError } from '@wharf/supervise';
import { type ApiCa } from './api-ca';
import { apiErrorFrom } from './api-error';

/** Per-request timeout: every API call is a few ZooKeeper reads or one transaction. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** OpenSSL's verification failures as `fetch` reports them (no CA given: the system roots refused). */
const CERTIFICATE_PROBLEM = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/;

/** Prefix of every API path. */
export const API_PREFIX = '/api/v1';

/** Options of an {@link ApiClient}. */
export interface ApiClientOptions {
  /** `http(s)://host:port`, without `/api/v1`. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** The CA an `https://` API's certificate must chain to (`--ca`, WHARF_API_CA, platform.json). */
  readonly ca?: ApiCa;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** A parsed response. */
export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** Options of one request. */
export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Non-2xx statuses returned instead of thrown (e.g. 404 while tracking a delete). */
  readonly allow?: readonly number[];
}

/** Calls the API; throws {@link ApiError} for error answers and `WHARF_UNAVAILABLE` when unreachable. */
export class ApiClient {
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    const caFetch = options.ca && createCaFetch({ ca: options.ca.pem, caSource: options.ca.source });
    this.fetchFn = options.fetch ?? caFetch ?? fetch;
  }

  /** The API's base URL. */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Sends `method path` (path relative to `/api/v1`) and parses the JSON answer. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const url = new URL(`${this.options.baseUrl}${API_PREFIX}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey !== undefined) headers.authorization = `ApiKey ${this.options.apiKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      // Another CA's certificate: the message names the CA we trusted (ca-fetch.ts).
      if (isWharfError(err, 'WHARF_PKI_UNTRUSTED')) throw err;
      const reason = describeFetchError(err);
      const hint = CERTIFICATE_PROBLEM.test(reason)
        ? " (trust the API's CA with --ca <file> or WHARF_API_CA)"
        : '';
      throw new WharfError(
        'WHARF_UNAVAILABLE',
        `cannot reach the API at ${this.options.baseUrl}: ${reason}${hint}`,
        {
          cause: err,
        },
      );
    }
    const text = await res.text();
    let body: unknown = text;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): kept as text for the error message.
      }
    } else {
      body = undefined;
    }
    if (res.ok || options.allow?.includes(res.status)) return { status: res.status, body: body as T };
    throw apiErrorFrom(res.status, body, res.statusText);
  }
}
