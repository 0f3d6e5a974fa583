/**
 * A minimal HTTP client for stack APIs (etcd's JSON gateway, HTTP health checks): one request per
 * connection (no pooled sockets outlive a call), a hard deadline per request, bounded bodies.
 */
import { request } from 'node:http';
import { WharfError } from '@wharf/model';

/** Largest response body buffered in memory (8 MiB): health and cluster API answers are tiny. */
export const MAX_RESPONSE_BYTES = 8 * 1_048_576;

/** A buffered response. */
export interface HttpResponse {
  status: number;
  body: string;
}

/** Options of one request. */
export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  /** JSON-encoded when given. */
  json?: unknown;
  /** Deadline of the whole exchange, body included. */
  timeoutMs: number;
  /** Extra request headers (e.g. etcd's `Authorization` token). */
  headers?: Record<string, string>;
}

/** `http://host:port`, with brackets for an IPv6 literal. */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function requestError(url: string, err: unknown, timedOut: boolean): WharfError {
  if (timedOut)
    return new WharfError('WHARF_TIMEOUT', 'stack request timed out', { details: { url }, cause: err });
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new WharfError('WHARF_STACK_ERROR', 'stack request failed', { details: { url, code }, cause: err });
}

/**
 * Sends one request; `onChunk` receives the body as it arrives (for streams), otherwise the body is
 * buffered up to {@link MAX_RESPONSE_BYTES}. Network failures → `WHARF_STACK_ERROR`, deadline → `WHARF_TIMEOUT`.
 */
export function httpRequest(
  url: string,
  options: HttpRequestOptions,
  onChunk?: (chunk: Buffer) => void,
): Promise<HttpResponse> {
  const payload = options.json === undefined ? undefined : Buffer.from(JSON.stringify(options.json));
  return new Promise<HttpResponse>((resolve, reject) => {
    let timedOut = false;
    const req = request(url, {
      method: options.method ?? (payload ? 'POST' : 'GET'),
      agent: false,
      headers: {
        ...options.headers,
        connection: 'close',
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('deadline exceeded'));
    }, options.timeoutMs);
    const fail = (err: unknown): void => {
      clearTimeout(timer);
      reject(requestError(url, err, timedOut));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (onChunk) {
          try {
            onChunk(chunk);
          } catch (err) {
            req.destroy(err as Error);
          }
          return;
        }
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      // A destroyed exchange may end with only 'close': never leave the promise pending.
      res.on('close', () => {
        if (!res.complete) fail(new Error('response aborted'));
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(payload);
  });
}
