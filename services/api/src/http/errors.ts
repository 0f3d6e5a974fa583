/**
 * The one error middleware: every failure becomes `{ error: { code, message, details } }` with
 * the HTTP status of its `WharfError` code. Body-parser failures are translated here too, and
 * internal failures are logged and answered without their internals.
 */
import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { WharfError, isWharfError, type ValidationIssue } from '@wharf/model';
import { type Logger } from '@wharf/observability';

/** Longest request path echoed back in a 404 message. */
const MAX_ECHOED_PATH = 200;

/** The JSON error body every failure is answered with. */
export interface ErrorBody {
  error: { code: string; message: string; details: ValidationIssue[] };
}

/** Errors raised by body-parser carry a `type` and an HTTP status. */
interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as BodyParserError).type === 'string';
}

/** A `WHARF_BAD_REQUEST` naming one field (`path`) of the request. */
export function badRequest(path: string, message: string, status?: number): WharfError {
  return new WharfError('WHARF_BAD_REQUEST', `${path}: ${message}`, {
    details: [{ path, message }],
    ...(status === undefined ? {} : { status }),
  });
}

function fromBodyParser(err: BodyParserError): WharfError {
  switch (err.type) {
    case 'entity.too.large':
      return new WharfError('WHARF_PAYLOAD_TOO_LARGE', 'request body too large', {
        details: [{ path: 'body', message: `must be at most ${err.limit ?? '?'} bytes` }],
      });
    case 'entity.parse.failed':
      return badRequest('body', 'must be a valid JSON object');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return badRequest('body', 'must be UTF-8 JSON', 415);
    default:
      return badRequest('body', 'could not be read');
  }
}

function isIssueList(details: unknown): details is ValidationIssue[] {
  return (
    Array.isArray(details) &&
    details.every(
      (d) => typeof d === 'object' && d !== null && typeof (d as ValidationIssue).path === 'string',
    )
  );
}

/** Maps anything thrown to a WharfError; unknown errors become `WHARF_INTERNAL`. */
export function toWharfError(err: unknown): WharfError {
  if (isWharfError(err)) return err;
  if (isBodyParserError(err)) return fromBodyParser(err);
  // The router's own percent-decoding of a path parameter (a route `path-params.ts` missed).
  if (err instanceof URIError) return badRequest('path', 'must be valid percent-encoded UTF-8');
  return new WharfError('WHARF_INTERNAL', 'internal error', { cause: err });
}

/** The response body of an error; only validation-style details reach the client. */
export function errorBody(err: WharfError): ErrorBody {
  const internal = err.status >= 500 && !err.code.startsWith('WHARF_ZK_') && err.code !== 'WHARF_UNAVAILABLE';
  return {
    error: {
      code: err.code,
      message: internal ? 'internal error' : err.message,
      details: isIssueList(err.details) ? err.details : [],
    },
  };
}

/** The error middleware; registered last. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const wharf = toWharfError(err);
    const route = typeof req.route?.path === 'string' ? req.route.path : undefined;
    if (wharf.status >= 500) {
      logger.error('request failed', {
        method: req.method,
        route,
        code: wharf.code,
        err: err instanceof Error ? err : String(err),
      });
    } else {
      logger.debug('request rejected', { method: req.method, route, code: wharf.code, status: wharf.status });
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    res.status(wharf.status).json(errorBody(wharf));
  };
}

/** Answers every request that matched no route with a 404 JSON error. */
export function notFound(): RequestHandler {
  return (req, _res, next) => {
    const shown = req.path.length > MAX_ECHOED_PATH ? `${req.path.slice(0, MAX_ECHOED_PATH)}...` : req.path;
    next(new WharfError('WHARF_NOT_FOUND', `no route for ${req.method} ${shown}`, { details: [] }));
  };
}
