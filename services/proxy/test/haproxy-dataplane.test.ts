/**
 * The HAProxy data plane (`WHARF_PROXY_DATAPLANE=haproxy`) against a real HAProxy (Debian's
 * `haproxy` 2.6) and real upstreams: routes set through the route table reach HAProxy over its
 * runtime API without a reload (same pid), HAProxy names the handling instance, instances the
 * table calls unhealthy get no traffic, a refusing instance is retried on another, and whatever
 * HAProxy does not route (unknown deployments, `/_metrics`) is answered by the Node proxy behind it;
 * connections to instances are reused across client connections.
 */
import type { RouteEntry } from '@wharf/model';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { HaproxyDataPlane, StaticRouteSource, createProxy, type WharfProxy } from '../src';
import { instance, routeEntry } from './fixtures';
import { refusedPort, request, startUpstream, type Reply, type Upstream } from './helpers';

jest.setTimeout(30_000);

/** Longest a route change may take to reach HAProxy (coalescing 10 ms + a few socket commands). */
const APPLY_DEADLINE_MS = 5_000;

let proxy: WharfProxy | undefined;
let plane: HaproxyDataPlane | undefined;
let upstreams: Upstream[] = [];

afterEach(async () => {
  await proxy?.close();
  await Promise.all(upstreams.map((u) => u.close()));
  proxy = undefined;
  plane = undefined;
  upstreams = [];
});

async function start(entries: RouteEntry[]): Promise<{ port: number; source: StaticRouteSource }> {
  const source = new StaticRouteSource(entries);
  const logger = createTestLogger();
  const port = await refusedPort();
  plane = new HaproxyDataPlane({ logger, host: '127.0.0.1', port, domain: 'localhost', slots: 4 });
  proxy = createProxy({
    routeSource: source,
    logger,
    metrics: createMetrics('proxy'),
    id: 'proxy-ha',
    dataPlane: plane,
  });
  const address = await proxy.start();
  expect(address.port).toBe(port);
  return { port, source };
}

async function upstream(name: string): Promise<Upstream> {
  const u = await startUpstream(name);
  upstreams.push(u);
  return u;
}

function at(u: Upstream, healthy = true): ReturnType<typeof instance> {
  return instance(u.name, { port: u.port, healthy });
}

function get(port: number, deployment: string): Promise<Reply> {
  return request(port, { headers: { host: `${deployment}.localhost` } });
}

/** Polls until `deployment` is answered by `instanceId` (through HAProxy, not the Node proxy). */
async function until(port: number, deployment: string, instanceId: string): Promise<void> {
  const deadline = Date.now() + APPLY_DEADLINE_MS;
  for (;;) {
    const before = proxy!.counters().requests;
    const reply = await get(port, deployment);
    const viaHaproxy = proxy!.counters().requests === before;
    if (reply.json?.instance === instanceId && viaHaproxy) return;
    if (Date.now() > deadline) throw new Error(`${deployment} still answered by ${reply.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('applies added, changed and removed routes without reloading HAProxy', async () => {
  const [a, b, c] = [await upstream('alpha-a'), await upstream('alpha-b'), await upstream('beta-c')];
  const { port, source } = await start([routeEntry('alpha', [at(a)])]);
  await until(port, 'alpha', 'alpha-a');
  const pid = plane!.pid;
  expect(pid).toBeGreaterThan(0);
  const nodeRequests = proxy!.counters().requests;
  const reply = await get(port, 'alpha');
  expect(reply.headers['x-wharf-handling-instance']).toBe('alpha-a');
  expect(reply.headers['x-wharf-handling-cluster']).toBe('alpha');
  // X-Wharf-Deployment names the deployment as well as Host does.
  const byHeader = await request(port, { headers: { 'x-wharf-deployment': 'alpha', host: 'lb.example' } });
  expect(byHeader.json.instance).toBe('alpha-a');
  expect(proxy!.counters().requests).toBe(nodeRequests);

  source.set([routeEntry('alpha', [at(b)]), routeEntry('beta', [at(c)])]);
  await until(port, 'alpha', 'alpha-b');
  await until(port, 'beta', 'beta-c');
  for (let i = 0; i < 5; i += 1)
    expect((await get(port, 'alpha')).headers['x-wharf-handling-instance']).toBe('alpha-b');

  source.set([routeEntry('beta', [at(c)])]);
  const deadline = Date.now() + APPLY_DEADLINE_MS;
  let gone = await get(port, 'alpha');
  while (gone.status !== 404 && Date.now() < deadline) gone = await get(port, 'alpha');
  // Answered by the Node proxy behind HAProxy, with its coded error.
  expect(gone.status).toBe(404);
  expect(gone.json.error.code).toBe('WHARF_NOT_FOUND');
  expect(plane!.pid).toBe(pid);
  expect(plane!.syncCounters().failedCommands).toBe(0);
});

it('sends no traffic to an instance the table calls unhealthy, and retries a refusing one', async () => {
  const [a, b] = [await upstream('gamma-a'), await upstream('gamma-b')];
  const { port, source } = await start([routeEntry('gamma', [at(a), at(b, false)])]);
  await until(port, 'gamma', 'gamma-a');
  for (let i = 0; i < 10; i += 1) expect((await get(port, 'gamma')).json.instance).toBe('gamma-a');
  expect(b.requests).toBe(0);

  source.set([routeEntry('gamma', [at(a, false), at(b)])]);
  await until(port, 'gamma', 'gamma-b');
  const served = a.requests;
  for (let i = 0; i < 10; i += 1) expect((await get(port, 'gamma')).json.instance).toBe('gamma-b');
  expect(a.requests).toBe(served);

  // An instance that refuses connections: every request still answered (retried on gamma-b),
  // and the refusing one is marked down (ejected) rather than tried first on every other request.
  source.set([routeEntry('gamma', [instance('gamma-dead', { port: await refusedPort() }), at(b)])]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await plane!.settled();
  for (let i = 0; i < 10; i += 1) {
    const reply = await get(port, 'gamma');
    expect(reply.status).toBe(200);
    expect(reply.headers['x-wharf-handling-instance']).toBe('gamma-b');
  }
  const metrics = (await request(port, { path: '/_metrics' })).text;
  expect(metrics).toMatch(/^wharf_proxy_haproxy_servers\{state="down"\} 1$/m);
  // Without ejection round robin would send every other request to gamma-dead first (~5 redispatches).
  expect(metrics).toMatch(/^wharf_proxy_haproxy_upstream_redispatches_total [01]$/m);
});

it('leaves what it does not route to the Node proxy, and exports its counters there', async () => {
  const a = await upstream('delta-a');
  const { port } = await start([routeEntry('delta', [at(a)])]);
  await until(port, 'delta', 'delta-a');
  // Connections to instances are pooled (the reason slots use pre-declared servers).
  const connections = a.connections;
  for (let i = 0; i < 20; i += 1) expect((await get(port, 'delta')).status).toBe(200);
  expect(a.connections - connections).toBeLessThanOrEqual(1);
  const unknown = await get(port, 'nope');
  expect(unknown.status).toBe(404);
  expect(unknown.json.error.code).toBe('WHARF_NOT_FOUND');
  const metrics = await request(port, { path: '/_metrics' });
  expect(metrics.status).toBe(200);
  expect(metrics.text).toMatch(/^wharf_proxy_haproxy_requests_total [1-9]\d*$/m);
  expect(metrics.text).toMatch(/^wharf_proxy_haproxy_servers\{state="up"\} 1$/m);
  expect(metrics.text).toContain('wharf_proxy_requests_total');
});
