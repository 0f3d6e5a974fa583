/** Counts and times every request by route pattern (never the raw path: ids would explode labels). */
import { type RequestHandler } from 'express';
import { type Logger } from '@wharf/observability';
import { type ApiMetrics } from '../metrics';

/** Route label of requests that matched no route (unknown paths, refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Middleware recording `wharf_api_requests_total` and the latency histogram on response finish. */
export function requestMetrics(metrics: ApiMetrics, logger: Logger, prefix: string): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const matched =
        typeof req.route?.path === 'string' ? `${prefix}${req.route.path as string}` : undefined;
      const route = (res.locals.route as string | undefined) ?? matched ?? UNMATCHED_ROUTE;
      const method = req.method;
      metrics.requests.inc({ method, route, status: String(res.statusCode) });
      metrics.requestDuration.observe({ method, route }, seconds);
      logger.debug('request handled', {
        method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
      });
    });
    next();
  };
}
