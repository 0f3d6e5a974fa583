/**
 * Path parameters are percent-decoded by Express's router while it matches a route; a malformed
 * escape (`/deployments/%zz`, a lone `%`) makes it throw a `URIError` before any handler runs, which
 * would surface as a 500. This middleware runs first and answers such a request with a 400 naming
 * the parameter the bad segment would have filled, read from the routers' own route templates.
 */
import { type RequestHandler, type Router } from 'express';
import { badRequest } from './errors';

/** What a request path got wrong: the parameter (or `path`) and its raw segment. */
export interface MalformedSegment {
  /** The `:param` the segment would fill, or `path` when no route template matches. */
  readonly param: string;
  readonly value: string;
}

/** The message every malformed-escape 400 carries. */
export const MALFORMED_ESCAPE_MESSAGE = 'must be valid percent-encoded UTF-8';
/** Longest raw segment echoed back: enough to recognise it, bounded for hostile input. */
const MAX_ECHOED_SEGMENT = 64;

/** True when `segment` decodes (`decodeURIComponent` is what the router calls). */
export function isDecodable(segment: string): boolean {
  if (!segment.includes('%')) return true;
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** `/a/:b` → `['a', ':b']`. */
function segmentsOf(path: string): string[] {
  return path.split('/').filter((s, i) => i > 0 || s !== '');
}

/** The parameter `template` puts at `index` of `segments`, if `template` matches them. */
function paramAt(template: string, segments: readonly string[], index: number): string | undefined {
  const parts = segmentsOf(template);
  if (parts.length !== segments.length) return undefined;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    if (part.startsWith(':')) continue;
    if (part !== segments[i]) return undefined;
  }
  const at = parts[index]!;
  return at.startsWith(':') ? at.slice(1) : undefined;
}

/**
 * The first segment of `path` that does not decode, named by the first of `templates` that
 * matches the path with that segment as a parameter. Pure.
 */
export function malformedSegment(path: string, templates: readonly string[]): MalformedSegment | undefined {
  const segments = segmentsOf(path);
  const index = segments.findIndex((s) => !isDecodable(s));
  if (index === -1) return undefined;
  const raw = segments[index]!;
  const value = raw.length > MAX_ECHOED_SEGMENT ? `${raw.slice(0, MAX_ECHOED_SEGMENT)}...` : raw;
  for (const template of templates) {
    const param = paramAt(template, segments, index);
    if (param !== undefined) return { param, value };
  }
  return { param: 'path', value };
}

/** The route templates of `routers` mounted at `prefix` (`/api/v1/deployments/:id`, ...). */
export function routeTemplates(prefix: string, routers: readonly Router[]): string[] {
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      typeof layer.route?.path === 'string' ? [prefix + layer.route.path] : [],
    ),
  );
}

/**
 * Rejects a request whose path has a malformed percent-escape with 400 `WHARF_BAD_REQUEST`
 * naming the parameter. Mount it before `routers`; their templates are read on first use, once
 * every route has been registered.
 */
export function rejectMalformedPathParams(prefix: string, routers: readonly Router[]): RequestHandler {
  let templates: string[] | undefined;
  return (req, _res, next) => {
    // `req.path` is the raw (still encoded) path; most requests carry no escape at all.
    if (!req.path.includes('%')) {
      next();
      return;
    }
    templates ??= routeTemplates(prefix, routers);
    const bad = malformedSegment(req.path, templates);
    if (bad === undefined) {
      next();
      return;
    }
    next(badRequest(bad.param, `${MALFORMED_ESCAPE_MESSAGE} (got '${bad.value}')`));
  };
}
