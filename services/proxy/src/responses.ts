/**
 * Responses the proxy writes itself (errors, health). Errors use the Wharf error body
 * `{ "error": { "code", "message", "details" } }` so clients handle the API and the proxy alike.
 */
import type { ServerResponse } from 'node:http';
import { ERROR_CODES, type WharfErrorCode } from '@wharf/model';

/** Body of `GET /_health` when the routing table is initialised (ECE's exact body). */
const HEALTHY_BODY = JSON.stringify({ ok: true, status: 200 });
/** Body of `GET /_health` before the table is initialised or while shutting down. */
const UNHEALTHY_BODY = JSON.stringify({ ok: false, status: 502 });

/** Writes a Wharf error body with the code's status (or `status`), unless a response already started. */
export function sendError(
  res: ServerResponse,
  code: WharfErrorCode,
  message: string,
  details?: unknown,
  status: number = ERROR_CODES[code],
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: { code, message, details: details ?? null } });
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
