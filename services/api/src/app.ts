/**
 * The Express application: `/api/v1/...` behind API-key authentication, plus the unauthenticated
 * liveness check and the authenticated `/metrics`. `createApp` never listens; `main.ts` does.
 */
import express, { type Express, type RequestHandler, type Router } from 'express';
import { CONSOLE_ASSETS_DIR } from '@wharf/console';
import { createObservabilityHandler, type HealthReport, type Logger } from '@wharf/observability';
import { ActivityFeed } from './activity/feed';
import { CatalogService } from './catalog-service';
import { catalogRoutes } from './routes/catalog';
import { activityRoutes, deploymentActivitySource } from './activity/routes';
import { ApiKeyService } from './api-key-service';
import { KeyVerifier, authenticate } from './auth/authenticate';
import { authorize } from './auth/authorize';
import { scopeToOrganization, type DeploymentOwner } from './auth/scope';
import { OrganizationService } from './organization-service';
import { organizationRoutes } from './routes/organizations';
import { BillingService } from './billing-service';
import { billingRoutes } from './routes/billing';
import { SYSTEM_CLOCK, type Clock } from './clock';
import { DeploymentService } from './deployment-service';
import { type SupportedVersions } from './domain/plans';
import { DEFAULT_REQUEST_ID_TTL_SECONDS } from './domain/request-marker';
import { jsonBodyParser } from './http/body';
import { rejectMalformedPathParams } from './http/path-params';
import { errorMiddleware, notFound } from './http/errors';
import { methodNotAllowed } from './http/methods';
import { DEFAULT_RATE_LIMIT, TokenBuckets, rateLimit, type RateLimit } from './http/rate-limit';
import { requestMetrics } from './http/request-metrics';
import { type ApiMetrics } from './metrics';
import { consoleRoutes } from './console/routes';
import { monitoringRoutes, scrapeTokenDoor, type MonitoringDeps } from './monitoring/routes';
import { openApiRoutes } from './openapi/routes';
import { ActionService } from './action-service';
import { MoveService } from './move-service';
import { PlatformService } from './platform-service';
import { apiKeyRoutes } from './routes/api-keys';
import { deploymentRoutes } from './routes/deployments';
import { hostRoutes } from './routes/hosts';
import { actionRoutes } from './routes/actions';
import { moveRoutes } from './routes/moves';
import { planRoutes } from './routes/plans';
import { platformRoutes } from './routes/platform';
import { credentialsRoutes } from './credentials/routes';
import { CredentialsService } from './credentials/service';
import { snapshotRoutes } from './snapshots/routes';
import { type RestoreRunner } from './snapshots/restore';
import { type SnapshotService } from './snapshots/service';
import { type ApiStore } from './store/types';
import { type HostStore } from './store/zk-hosts';
import { eventRouters } from './events/wiring';
import { BrandingService } from './branding/branding-service';
import { BRANDING_LOGO_PATH, brandingRoutes, publicBrandingRoutes } from './branding/routes';

/** Every API route lives under this prefix. */
export const API_PREFIX = '/api/v1';
/** Unauthenticated liveness check. */
export const HEALTH_PATH = `${API_PREFIX}/health`;
/** Prometheus metrics (authenticated like the API: it shares the API's port). */
export const METRICS_PATH = '/metrics';

/** Everything the app needs; all injected. */
export interface AppDeps {
  store: ApiStore;
  logger: Logger;
  metrics: ApiMetrics;
  /** Stack versions the platform can run (the stack packs'). */
  supportedVersions: SupportedVersions;
  /** Endpoint URL template with `{id}`. */
  publicProxyUrl: string;
  /** Version of this build, shown by `GET /platform`. */
  version: string;
  /** This process's id. */
  id: string;
  /** Liveness checks (the ZooKeeper session); default: none. */
  health?: () => HealthReport;
  clock?: Clock;
  /**
   * The platform secret: etcd creates return the first root password, and with `snapshots` the
   * `credentials/_reset` route is served. Without it new deployments get no credentials.
   */
  platformSecret?: string;
  /** Snapshots and restores; without them the snapshot routes are not served. */
  snapshots?: { snapshots: SnapshotService; restores: RestoreRunner };
  /** Hosts and roles tokens; without it the host routes are not served. */
  hosts?: HostStore;
  /** Override of the verified-key cache TTL (tests). */
  verifiedKeyTtlMs?: number;
  /** How long a create's `request_id` stays idempotent; default 24 h. */
  requestIdTtlSeconds?: number;
  /** Per-key limit of mutating requests; default {@link DEFAULT_RATE_LIMIT}, `null`: none. */
  rateLimit?: RateLimit | null;
  /** The built console to serve at `/`; default: `@wharf/console`'s build. */
  consoleDir?: string;
  /** Prometheus SD and scrape-token checks; without it the SD endpoint answers 503. */
  monitoring?: MonitoringDeps;
}

/** `credentials/_reset`, served with snapshots and a platform secret. */
function credentialsRouters(deps: AppDeps, logger: Logger): express.Router[] {
  const secret = deps.platformSecret;
  if (!deps.snapshots || secret === undefined) return [];
  const logs = logger.child({ component: 'credentials' });
  return [
    credentialsRoutes(new CredentialsService({ secret, snapshots: deps.snapshots.snapshots, logger: logs })),
  ];
}

/** `{ [key]: value }` when `value` is defined, else `{}` (for optional properties). */
function pick<T, K extends keyof T>(from: T, key: K): Partial<Pick<T, K>> {
  return from[key] === undefined ? {} : ({ [key]: from[key] } as Partial<Pick<T, K>>);
}

/** Runs `handler` for requests to exactly `path`, labelling them for metrics. */
function servePath(
  path: string,
  handler: (req: express.Request, res: express.Response) => boolean,
): RequestHandler {
  return (req, res, next) => {
    if (req.path !== path) {
      next();
      return;
    }
    res.locals.route = path;
    if (!handler(req, res)) next();
  };
}

/** The price list and usage routes, when the store has billing. */
function billingRouters(
  deps: AppDeps,
  clock: Clock,
  logger: Logger,
  organizations: OrganizationService | undefined,
): express.Router[] {
  if (!deps.store.billing) return [];
  const service = new BillingService({
    billing: deps.store.billing,
    clock,
    logger: logger.child({ component: 'billing' }),
    ...(organizations ? { organizations } : {}),
  });
  return [billingRoutes(service)];
}

/** Organizations, billing, events and instance logs: the routers of the operating-a-business issue. */
function tenancyRouters(
  deps: AppDeps,
  clock: Clock,
  logger: Logger,
  organizations: OrganizationService | undefined,
): express.Router[] {
  return [
    ...(organizations ? [organizationRoutes(organizations)] : []),
    ...billingRouters(deps, clock, logger, organizations),
    ...eventRouters(deps.store, clock, logger),
  ];
}

/** The organization owning a deployment, for {@link scopeToOrganization}. */
function deploymentOwner(store: ApiStore): DeploymentOwner {
  return async (id) => {
    const record = await store.deployments.get(id);
    return record === undefined ? undefined : (record.value.organization_id ?? null);
  };
}

/** Organizations and their quotas, when the store has them. */
function organizationService(deps: AppDeps, clock: Clock, logger: Logger): OrganizationService | undefined {
  if (!deps.store.organizations) return undefined;
  return new OrganizationService({
    organizations: deps.store.organizations,
    deployments: deps.store.deployments,
    clock,
    logger: logger.child({ component: 'organizations' }),
    ...(deps.store.events ? { events: deps.store.events } : {}),
  });
}

/** Instance configurations and templates: the built-ins, and the stored ones when the store has them. */
function catalogService(deps: AppDeps, logger: Logger): CatalogService {
  return new CatalogService({
    deployments: deps.store.deployments,
    supportedVersions: deps.supportedVersions,
    logger: logger.child({ component: 'catalog' }),
    ...(deps.store.catalog ? { catalog: deps.store.catalog } : {}),
  });
}

/**
 * White-label branding, when the store has it: the reads served without an API key (the sign-in
 * page shows the name, logo and colour) and the change behind one.
 */
function brandingRouters(deps: AppDeps, clock: Clock, logger: Logger): Record<'open' | 'closed', Router[]> {
  if (!deps.store.branding) return { open: [], closed: [] };
  const service = new BrandingService({
    branding: deps.store.branding,
    clock,
    logger: logger.child({ component: 'branding' }),
    logoPath: `${API_PREFIX}${BRANDING_LOGO_PATH}`,
  });
  return { open: [publicBrandingRoutes(service)], closed: [brandingRoutes(service)] };
}

/** `/health` (open) and `/metrics` (behind a key or the scrape token) of the api itself. */
function observabilityHandler(deps: AppDeps): ReturnType<typeof createObservabilityHandler> {
  return createObservabilityHandler({
    registry: deps.metrics.registry,
    health: deps.health ?? (() => ({ checks: {} })),
    healthPath: HEALTH_PATH,
    metricsPath: METRICS_PATH,
    logger: deps.logger,
  });
}

/** Builds the app. */
export function createApp(deps: AppDeps): Express {
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const logger = deps.logger;
  const organizations = organizationService(deps, clock, logger);
  const catalog = catalogService(deps, logger);
  const branding = brandingRouters(deps, clock, logger);
  const deployments = new DeploymentService({
    catalog,
    ...pick(deps, 'platformSecret'),
    deployments: deps.store.deployments,
    platform: deps.store.platform,
    clock,
    metrics: deps.metrics,
    supportedVersions: deps.supportedVersions,
    publicProxyUrl: deps.publicProxyUrl,
    requestIdTtlMs: (deps.requestIdTtlSeconds ?? DEFAULT_REQUEST_ID_TTL_SECONDS) * 1000,
    ...(organizations ? { quotas: organizations } : {}),
  });
  const platform = new PlatformService({ platform: deps.store.platform, version: deps.version, id: deps.id });
  const observability = observabilityHandler(deps);
  const verifier = new KeyVerifier(deps.store.keys, clock, deps.verifiedKeyTtlMs);
  const apiKeys = new ApiKeyService({
    keys: deps.store.keys,
    clock,
    logger: logger.child({ component: 'api-keys' }),
    onRevoked: (keyId) => verifier.forget(keyId),
    ...(organizations ? { organizations } : {}),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestMetrics(deps.metrics, logger, API_PREFIX));
  app.use(servePath(HEALTH_PATH, observability));
  // Served without an API key: the console's page and assets, the API's own description, branding.
  app.use(consoleRoutes(deps.consoleDir ?? CONSOLE_ASSETS_DIR, logger.child({ component: 'console' })));
  app.use(API_PREFIX, openApiRoutes(deps.version, API_PREFIX), ...branding.open);
  app.use(scrapeTokenDoor(deps.monitoring, API_PREFIX, METRICS_PATH, observability, logger));
  app.use(authenticate(verifier, deps.metrics, logger));
  app.use(authorize(API_PREFIX, logger));
  app.use(scopeToOrganization(API_PREFIX, deploymentOwner(deps.store)));
  const limit = deps.rateLimit === undefined ? DEFAULT_RATE_LIMIT : deps.rateLimit;
  if (limit !== null) app.use(rateLimit(new TokenBuckets(limit, clock), deps.metrics));
  app.use(servePath(METRICS_PATH, observability));
  app.use(jsonBodyParser());
  const actions = new ActionService({ ...deps.store, clock, metrics: deps.metrics });
  const routers = [
    // First: `/deployments/templates` is the catalog's, not a deployment's (see `routes/catalog.ts`).
    catalogRoutes(catalog),
    // Before the deployment routes: it answers the creates that carry `restore_from`.
    ...(deps.snapshots ? [snapshotRoutes({ ...deps.snapshots, deployments, actions })] : []),
    ...credentialsRouters(deps, logger),
    deploymentRoutes(deployments),
    planRoutes(deployments),
    activityRoutes(
      new ActivityFeed({
        source: deploymentActivitySource(deployments),
        logger: logger.child({ component: 'activity' }),
      }),
    ),
    platformRoutes(platform),
    actionRoutes(actions),
    moveRoutes(new MoveService({ ...deps.store, clock, metrics: deps.metrics })),
    apiKeyRoutes(apiKeys),
    monitoringRoutes(deps.monitoring),
    ...(deps.hosts ? [hostRoutes(deps.hosts, clock, deps.store.platform)] : []),
    ...tenancyRouters(deps, clock, logger, organizations),
    ...branding.closed,
  ];
  app.use(rejectMalformedPathParams(API_PREFIX, routers));
  app.use(API_PREFIX, ...routers);
  app.use(methodNotAllowed(app));
  app.use(notFound());
  app.use(errorMiddleware(logger));
  return app;
}
