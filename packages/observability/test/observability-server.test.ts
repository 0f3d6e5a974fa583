import {
  createMetrics,
  createObservabilityHandler,
  createTestLogger,
  startObservabilityServer,
  type HealthReport,
  type ObservabilityServer,
} from '../src';

describe('observability server', () => {
  let server: ObservabilityServer;
  let report: HealthReport | (() => Promise<HealthReport>);
  const logger = createTestLogger();

  beforeAll(async () => {
    const metrics = createMetrics('allocator');
    metrics.counter({ name: 'wharf_allocator_instances_started_total', help: 'Instances started.' }).inc(3);
    const handler = createObservabilityHandler({
      registry: metrics.registry,
      health: () => (typeof report === 'function' ? report() : report),
      healthTimeoutMs: 100,
      logger,
    });
    server = await startObservabilityServer({ port: 0, handler, logger });
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    report = { checks: { zk: { status: 'ok' } } };
  });

  it('binds loopback on a free port', () => {
    expect(server.address.address).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.address.port}`);
  });

  it('serves Prometheus text with process metrics and custom counters', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^process_resident_memory_bytes\{service="allocator"\} \d+/m);
    expect(text).toContain('wharf_allocator_instances_started_total{service="allocator"} 3');
  });

  it('answers /health 200 with every check when healthy', async () => {
    const res = await fetch(`${server.url}/health?verbose=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok', checks: { zk: { status: 'ok' } } });
  });

  it('answers /health 503 with the failing check', async () => {
    report = { checks: { zk: { status: 'failing', detail: 'session expired' }, runtime: { status: 'ok' } } };
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'failing',
      checks: { zk: { status: 'failing', detail: 'session expired' }, runtime: { status: 'ok' } },
    });
  });

  it('answers 503 when the health function throws', async () => {
    report = () => Promise.reject(new Error('zk unreachable'));
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'failing',
      checks: { health: { status: 'failing', detail: 'zk unreachable' } },
    });
    expect(logger.entries.some((entry) => entry.message === 'health checks failed to run')).toBe(true);
  });

  it('answers 503 when the health function hangs', async () => {
    report = () => new Promise<HealthReport>(() => undefined);
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'failing', checks: { health: { status: 'failing' } } });
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${server.url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 404 for paths the handler declines', async () => {
    const res = await fetch(`${server.url}/metricsx`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'WHARF_NOT_FOUND', message: 'not found' } });
  });
});

describe('startObservabilityServer', () => {
  it('closes idempotently and stops answering', async () => {
    const handler = createObservabilityHandler({
      registry: createMetrics('proxy').registry,
      health: () => ({ checks: {} }),
    });
    const server = await startObservabilityServer({ port: 0, handler });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const handler = () => false;
    const first = await startObservabilityServer({ port: 0, handler });
    try {
      await expect(startObservabilityServer({ port: first.address.port, handler })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});

describe('observability server with a scrape check', () => {
  let server: ObservabilityServer;

  beforeAll(async () => {
    const metrics = createMetrics('runner');
    const handler = createObservabilityHandler({
      registry: metrics.registry,
      health: () => ({ checks: {} }),
      authorizeMetrics: (authorization) => Promise.resolve(authorization === 'Bearer good'),
    });
    server = await startObservabilityServer({ port: 0, handler });
  });

  afterAll(async () => {
    await server.close();
  });

  it('serves /metrics only to authorized scrapes, and /health to anyone', async () => {
    const refused = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer bad' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('WHARF_UNAUTHORIZED');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const allowed = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer good' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('process_cpu_seconds_total');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
