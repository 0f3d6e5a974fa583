/** An error answered by the Wharf API (`{ error: { code, message, details } }`), kept as sent. */

/** A non-2xx answer of the API. `code` is the API's (a Wharf error code), not re-mapped. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The ApiError for a response with `status` and parsed `body` (any shape). */
export function apiErrorFrom(status: number, body: unknown, statusText = ''): ApiError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof e.code === 'string') {
      return new ApiError(e.code, typeof e.message === 'string' ? e.message : statusText, status, e.details);
    }
  }
  const text = typeof body === 'string' && body.trim() !== '' ? `: ${body.trim().slice(0, 200)}` : '';
  return new ApiError(`HTTP_${status}`, `${statusText || 'request failed'}${text}`, status);
}
