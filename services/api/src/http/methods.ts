/**
 * 405 for a known path asked with the wrong method: after every route had its chance, the
 * application's router stack is asked which methods would have matched this path. A path no
 * route knows falls through to the 404 of `notFound()`.
 */
import { type Express, type RequestHandler } from 'express';
import { WharfError } from '@wharf/model';

/** What the middleware reads of an Express 5 router layer (`router` package). */
interface RouterLayer {
  match(path: string): { path: string } | false;
  route?: { methods: Record<string, boolean | undefined> };
  handle?: { stack?: RouterLayer[] };
}

/** The methods the routes of `stack` answer for `path` (upper case; HEAD with GET). */
export function allowedMethods(stack: readonly RouterLayer[], path: string): Set<string> {
  const allowed = new Set<string>();
  for (const layer of stack) {
    const match = layer.match(path);
    if (!match) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') allowed.add(method.toUpperCase());
      }
    } else if (layer.handle?.stack) {
      const rest = path.slice(match.path.length);
      for (const method of allowedMethods(layer.handle.stack, rest.startsWith('/') ? rest : `/${rest}`)) {
        allowed.add(method);
      }
    }
  }
  if (allowed.has('GET')) allowed.add('HEAD');
  return allowed;
}

/**
 * Answers a request no route took, on a path some route serves with other methods, with
 * `WHARF_METHOD_NOT_ALLOWED` (405) and an `Allow` header; anything else goes on to the 404.
 */
export function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const stack = (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
    const allowed = allowedMethods(stack, req.path);
    if (allowed.size === 0 || allowed.has(req.method)) {
      next();
      return;
    }
    const allow = [...allowed].sort().join(', ');
    res.setHeader('Allow', allow);
    next(
      new WharfError('WHARF_METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${allow}`, {
        details: [{ path: 'method', message: `must be one of ${allow}` }],
      }),
    );
  };
}
