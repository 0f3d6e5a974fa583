/** Coded errors of the runtime, all `WharfError`s so callers branch on `code`. */
import { WharfError } from '@wharf/model';

/** `WHARF_RUNTIME_ERROR`: the runtime could not do what was asked. */
export function runtimeError(
  message: string,
  details?: Record<string, unknown>,
  cause?: unknown,
): WharfError {
  return new WharfError('WHARF_RUNTIME_ERROR', message, { details, cause });
}

/** `WHARF_RUNTIME_NOT_FOUND`: no container with this id or name. */
export function notFound(id: string): WharfError {
  return new WharfError('WHARF_RUNTIME_NOT_FOUND', `no container ${JSON.stringify(id.slice(0, 80))}`, {
    details: { id },
  });
}

/** `WHARF_CONFLICT`: the container is in a state that forbids the operation (Docker answers 409). */
export function conflict(message: string, details: Record<string, unknown>): WharfError {
  return new WharfError('WHARF_CONFLICT', message, { details });
}
