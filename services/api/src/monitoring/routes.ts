/**
 * `GET /api/v1/platform/monitoring/targets` (Prometheus HTTP SD) and the scrape-token door in
 * front of API-key authentication. A request to the SD endpoint or to `/metrics` that carries
 * `Authorization: Bearer <token>` is answered here, completely, when the token is the scrape
 * token, and refused (401) otherwise: a scrape token never reaches any other route. Requests with
 * an API key pass on to `authenticate` and the routers as usual (an API key may read both).
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { WharfError } from '@wharf/model';
import { type ObservabilityHandler, type Logger } from '@wharf/observability';
import { bearerToken } from '@wharf/zk';
import { allowOnly } from '../http/query';
import { type TargetSource } from './zk-targets';

/** The SD endpoint, below the API prefix. */
export const TARGETS_PATH = '/platform/monitoring/targets';

/** Checks a scrape token (the api requires a stored one: no "not configured" pass). */
export type ScrapeTokenCheck = (authorization: string | undefined) => Promise<boolean>;

/** What the monitoring routes read. */
export interface MonitoringDeps {
  targets: TargetSource;
  scrapeTokens: ScrapeTokenCheck;
}

const notConfigured = (): never => {
  throw new WharfError('WHARF_UNAVAILABLE', 'monitoring is not configured on this api');
};

async function sendTargets(req: Request, res: Response, targets: TargetSource): Promise<void> {
  allowOnly(req, []);
  res.status(200).json(await targets());
}

/** The SD route for API-key holders. */
export function monitoringRoutes(deps: MonitoringDeps | undefined): Router {
  const router = Router();
  router.get(TARGETS_PATH, async (req, res) => {
    await sendTargets(req, res, deps?.targets ?? notConfigured);
  });
  return router;
}

/** Middleware before `authenticate`: serves bearer-token scrapes of `metricsPath` and the SD path. */
export function scrapeTokenDoor(
  deps: MonitoringDeps | undefined,
  apiPrefix: string,
  metricsPath: string,
  metrics: ObservabilityHandler,
  logger: Logger,
): RequestHandler {
  const targetsPath = `${apiPrefix}${TARGETS_PATH}`;
  return async (req, res, next) => {
    const isTargets = req.path === targetsPath;
    if ((!isTargets && req.path !== metricsPath) || bearerToken(req.headers.authorization) === undefined) {
      next();
      return;
    }
    res.locals.route = isTargets ? targetsPath : metricsPath;
    if (deps === undefined || !(await deps.scrapeTokens(req.headers.authorization))) {
      logger.info('scrape token refused', { path: req.path });
      res.setHeader('WWW-Authenticate', 'Bearer');
      const message = 'invalid scrape token';
      next(new WharfError('WHARF_UNAUTHORIZED', message, { details: [{ path: 'authorization', message }] }));
      return;
    }
    if (isTargets) {
      if (req.method !== 'GET') {
        next(new WharfError('WHARF_METHOD_NOT_ALLOWED', 'only GET is allowed here'));
        return;
      }
      await sendTargets(req, res, deps.targets);
      return;
    }
    if (!metrics(req, res)) next();
  };
}
