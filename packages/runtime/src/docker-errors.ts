/** Engine errors (docker-modem sets `statusCode`) → Wharf's coded errors. */
import { conflict, notFound, runtimeError } from './errors';

/** The HTTP status of a docker-modem error, if any. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** True for the engine's 404 (no such container / image). */
export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/** True for the engine's 304 (already started / already stopped). */
export function isNotModified(err: unknown): boolean {
  return statusOf(err) === 304;
}

/** Maps an engine error of an operation on `id` to a `WharfError`. */
export function engineError(err: unknown, action: string, id: string): Error {
  const status = statusOf(err);
  const reason = (err as { json?: { message?: string } } | null)?.json?.message ?? (err as Error)?.message;
  if (status === 404) return notFound(id);
  if (status === 409) return conflict(`docker refused to ${action}: ${reason}`, { id, action });
  return runtimeError(`docker could not ${action}: ${String(reason)}`, { id, action, status }, err);
}
