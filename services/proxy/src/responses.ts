/**
 * Responses the proxy writes itself (errors, health). Errors use the Wharf error body
 * `{ "error": { "code", "message", "details" } }` so clients handle the API and the proxy alike:
 * `details` is a list of `{ path, message }` as the api's is.
 */
import type { ServerResponse } from 'node:http';
import { ERROR_CODES, type WharfErrorCode } from '@wharf/model';

/** Body of `GET /_health` when the routing table is initialised (ECE's exact body). */
const HEALTHY_BODY = JSON.stringify({ ok: true, status: 200 });
/** Body of `GET /_health` before the table is initialised or while shutting down. */
const UNHEALTHY_BODY = JSON.stringify({ ok: false, status: 502 });

/** One entry of an error's `details`: what it is about (`path`) and what is known of it. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** The facts of an error as `details` entries, in key order; unknown (null/undefined) facts are left out. */
export function toDetails(facts: Record<string, string | number | null | undefined>): ErrorDetail[] {
  return Object.entries(facts)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined)
    .map(([path, value]) => ({ path, message: String(value) }));
}

/** Writes a Wharf error body with the code's status (or `status`), unless a response already started. */
export function sendError(
  res: ServerResponse,
  code: WharfErrorCode,
  message: string,
  facts: Record<string, string | number | null | undefined> = {},
  status: number = ERROR_CODES[code],
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: { code, message, details: toDetails(facts) } });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

/** Writes the `/_health` answer: 200 when `healthy`, else 502 (what a load balancer checks). */
export function sendHealth(res: ServerResponse, healthy: boolean, head: boolean): void {
  const body = healthy ? HEALTHY_BODY : UNHEALTHY_BODY;
  res.statusCode = healthy ? 200 : 502;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.end(head ? undefined : body);
}
