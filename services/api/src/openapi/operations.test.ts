/**
 * The OpenAPI operation table against the routes the app really registers: a route without an
 * operation, or an operation without a route, fails here.
 */
import { createTestLogger } from '@wharf/observability';
import { API_PREFIX, createApp, type AppDeps } from '../app';
import { createApiMetrics } from '../metrics';
import { type ApiStore } from '../store/types';
import { type HostStore } from '../store/zk-hosts';
import { buildOpenApi } from './document';
import { OPERATIONS } from './operations';

/** The minimum of Express 5's router layers that this test reads. */
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  match(path: string): boolean;
}

/** `METHOD /api/v1/path` of every route in the app's routers, `:param` spelled `{param}`. */
function registeredRoutes(): string[] {
  const app = createApp({
    // Nothing is read from the stores while the app is only built.
    store: { organizations: {}, billing: {}, events: {}, logs: {}, branding: {} } as ApiStore,
    hosts: {} as HostStore,
    snapshots: {} as NonNullable<AppDeps['snapshots']>,
    platformSecret: 'test-secret',
    logger: createTestLogger(),
    metrics: createApiMetrics(),
    supportedVersions: () => undefined,
    publicProxyUrl: 'http://{id}.localhost:9200',
    version: '0.0.0-test',
    id: 'api-test',
    consoleDir: '/nonexistent',
  });
  const out: string[] = [];
  for (const layer of (app as unknown as { router: { stack: Layer[] } }).router.stack) {
    const inner = layer.handle?.stack;
    if (inner === undefined) continue;
    // Only routers mounted at the API prefix are API operations (the console's `/` is not).
    if (!layer.match(`${API_PREFIX}/probe`) || layer.match('/probe')) continue;
    for (const { route } of inner) {
      if (route === undefined) continue;
      const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
      for (const method of Object.keys(route.methods))
        out.push(`${method.toUpperCase()} ${API_PREFIX}${path}`);
    }
  }
  return out.sort();
}

describe('OpenAPI operations', () => {
  it('match the routes the app registers, one to one', () => {
    const routes = registeredRoutes();
    // The liveness check is a middleware in front of authentication, not a router route.
    const operations = OPERATIONS.filter((op) => op.path !== '/health')
      .map((op) => `${op.method.toUpperCase()} ${API_PREFIX}${op.path}`)
      .sort();
    expect(routes.length).toBeGreaterThan(15);
    expect(routes).toEqual(operations);
  });

  it('have unique operation ids and build one path item per path', () => {
    const ids = OPERATIONS.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const doc = buildOpenApi('1.0.0', API_PREFIX) as { paths: Record<string, Record<string, unknown>> };
    const count = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(count).toBe(OPERATIONS.length);
  });

  it('reference only component schemas that exist', () => {
    const doc = buildOpenApi('1.0.0', API_PREFIX) as { components: { schemas: Record<string, unknown> } };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref!);
  });
});
