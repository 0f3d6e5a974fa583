/**
 * After {@link authenticate}: refuses a request whose key's role falls short of what the method
 * and path need (`rbac.ts`, 403 `WHARF_FORBIDDEN`), and writes the audit record of every change —
 * who (key id and role), what (method, path, deployment) and the result — once the response is
 * sent. The audit record never holds a body, a header or a key: only ids and the route.
 */
import { type RequestHandler } from 'express';
import { type Logger } from '@wharf/observability';
import { principalOf } from './authenticate';
import { allows, forbidden, isReadRequest, requiredRole, routedPath } from './rbac';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const DEPLOYMENT = /^\/deployments\/([^/]+)/;

/** Middleware: 403 unless the principal's role allows the request; audit lines for changes. */
export function authorize(apiPrefix: string, logger: Logger): RequestHandler {
  const audit = logger.child({ component: 'audit' });
  return (req, res, next) => {
    const principal = principalOf(res.locals);
    if (principal === undefined) {
      next();
      return;
    }
    const path = routedPath(apiPrefix, req.path);
    const needed = requiredRole(req.method, path);
    const allowed = allows(principal.role, needed);
    if (!READS.has(req.method) && !isReadRequest(req.method, path)) {
      const deployment = DEPLOYMENT.exec(path)?.[1];
      res.on('finish', () =>
        audit.info('audit', {
          keyId: principal.keyId,
          role: principal.role ?? 'none',
          method: req.method,
          path: path.slice(0, 256),
          ...(deployment === undefined ? {} : { deployment: deployment.slice(0, 64) }),
          status: res.statusCode,
          result: res.statusCode < 400 ? 'ok' : allowed ? 'failed' : 'forbidden',
        }),
      );
    }
    if (allowed) {
      next();
      return;
    }
    next(forbidden(principal.keyId, principal.role, needed, `${req.method} ${path.slice(0, 128)}`));
  };
}
