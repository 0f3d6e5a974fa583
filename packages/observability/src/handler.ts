/**
 * A framework-agnostic request handler for `GET /metrics` and `GET /health`: plain Node
 * `(req, res)`, so express services call it from a middleware and the others mount it on
 * {@link startObservabilityServer}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { evaluateHealth, type HealthReport, type HealthResponse } from './health';
import { nullLogger, type Logger } from './logger';

/** Handles the request and returns true, or returns false without touching it. */
export type ObservabilityHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Options for {@link createObservabilityHandler}. */
export interface ObservabilityHandlerOptions {
  /** The service's registry (from `createMetrics`). */
  registry: Registry;
  /** Reports the service's checks; a throw or a timeout answers 503. */
  health: () => Promise<HealthReport> | HealthReport;
  /** Path serving Prometheus text. Default `/metrics`. */
  metricsPath?: string;
  /** Path serving the health report. Default `/health`. */
  healthPath?: string;
  /** How long `health()` may take before the answer is 503. Default {@link DEFAULT_HEALTH_TIMEOUT_MS}. */
  healthTimeoutMs?: number;
  /** Where scrape and health failures are logged. */
  logger?: Logger;
  /**
   * Decides whether a scrape may read the metrics, from its `Authorization` header (the scrape
   * token check); false answers 401. Default: every scrape may. The health path is never checked.
   */
  authorizeMetrics?: (authorization: string | undefined) => Promise<boolean>;
}

/**
 * A hung check (say, a ZooKeeper call during a partition) must still produce an answer, and
 * well within the 10 s that Prometheus and most orchestrators allow a probe by default.
 */
export const DEFAULT_HEALTH_TIMEOUT_MS = 3_000;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const ALLOWED_METHODS = 'GET, HEAD';

/** A handler serving the registry at `/metrics` and the health report at `/health`. */
export function createObservabilityHandler(options: ObservabilityHandlerOptions): ObservabilityHandler {
  const { registry, health, metricsPath = '/metrics', healthPath = '/health' } = options;
  const timeoutMs = options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const logger = options.logger ?? nullLogger;
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== metricsPath && path !== healthPath) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: ALLOWED_METHODS });
    } else if (path === metricsPath && options.authorizeMetrics !== undefined) {
      void options.authorizeMetrics(req.headers.authorization).then(
        (allowed) => (allowed ? serveMetrics(req, res, registry, logger) : refuse(req, res)),
        (err: unknown) => {
          logger.error('scrape authorization failed', { err });
          refuse(req, res);
        },
      );
    } else if (path === metricsPath) {
      serveMetrics(req, res, registry, logger);
    } else {
      void checkHealth(health, timeoutMs, logger).then(({ statusCode, body }) =>
        send(req, res, statusCode, JSON_CONTENT_TYPE, JSON.stringify(body)),
      );
    }
    return true;
  };
}

function serveMetrics(req: IncomingMessage, res: ServerResponse, registry: Registry, logger: Logger): void {
  void registry.metrics().then(
    (text) => send(req, res, 200, registry.contentType, text),
    (err: unknown) => {
      logger.error('metrics collection failed', { err });
      send(req, res, 500, 'text/plain; charset=utf-8', 'metrics collection failed\n');
    },
  );
}

const UNAUTHORIZED_BODY = JSON.stringify({
  error: { code: 'WHARF_UNAUTHORIZED', message: 'missing or invalid scrape token (Authorization: Bearer)' },
});

function refuse(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, 401, JSON_CONTENT_TYPE, UNAUTHORIZED_BODY, { 'WWW-Authenticate': 'Bearer' });
}

async function checkHealth(
  health: () => Promise<HealthReport> | HealthReport,
  timeoutMs: number,
  logger: Logger,
): Promise<HealthResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health checks took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return evaluateHealth(await Promise.race([Promise.resolve().then(health), timeout]));
  } catch (err) {
    logger.warn('health checks failed to run', { err });
    const detail = err instanceof Error ? err.message : String(err);
    return evaluateHealth({ checks: { health: { status: 'failing', detail } } });
  } finally {
    clearTimeout(timer);
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  statusCode: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(statusCode, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
