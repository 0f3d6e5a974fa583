/**
 * The proxy's HTTP path against real upstream servers, with routes from a static source (the
 * ZooKeeper wiring is covered in zookeeper.test.ts).
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { RouteEntry } from '@wharf/model';
import { createMetrics, createTestLogger, type Metrics, type TestLogger } from '@wharf/observability';
import { StaticRouteSource, createProxy, type WharfProxy } from '../src';
import { instance, routeEntry } from './fixtures';
import { refusedPort, request, startUpstream, type Upstream } from './helpers';

interface Running {
  proxy: WharfProxy;
  port: number;
  source: StaticRouteSource;
  logger: TestLogger;
  metrics: Metrics;
}

const running: Running[] = [];
const upstreams: Upstream[] = [];

async function startProxy(
  entries?: RouteEntry[],
  overrides: { upstreamTimeoutMs?: number; holdMs?: number } = {},
): Promise<Running> {
  const source = new StaticRouteSource(entries);
  const logger = createTestLogger();
  const metrics = createMetrics('proxy');
  const proxy = createProxy({
    routeSource: source,
    logger,
    metrics,
    id: 'proxy-test',
    port: 0,
    ...overrides,
  });
  const address = await proxy.start();
  const r = { proxy, port: address.port, source, logger, metrics };
  running.push(r);
  if (entries !== undefined) await waitForTable(proxy);
  return r;
}

async function waitForTable(proxy: WharfProxy): Promise<void> {
  for (let i = 0; i < 200 && proxy.table() === undefined; i += 1) await new Promise((r) => setTimeout(r, 5));
}

async function upstream(name: string): Promise<Upstream> {
  const u = await startUpstream(name);
  upstreams.push(u);
  return u;
}

const at = (u: Upstream | number, id: string) =>
  instance(id, { port: typeof u === 'number' ? u : u.port, host: '127.0.0.1' });

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.proxy.close()));
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

describe('proxy forwarding', () => {
  it('routes by Host (any case, with port) and by X-Wharf-Deployment, which wins', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const { port } = await startProxy([
      routeEntry('dep1', [at(a, 'dep1-main-0')]),
      routeEntry('dep2', [at(b, 'dep2-main-0')]),
    ]);

    const byHost = await request(port, { headers: { host: `DEP1.localhost:${port}` }, path: '/x?y=1' });
    expect(byHost.status).toBe(200);
    expect(byHost.json).toMatchObject({ instance: 'a', url: '/x?y=1' });
    expect(byHost.headers['x-wharf-handling-instance']).toBe('dep1-main-0');
    expect(byHost.headers['x-wharf-handling-deployment']).toBe('dep1');

    const byHeader = await request(port, {
      headers: { host: `dep1.localhost:${port}`, 'x-wharf-deployment': 'dep2' },
    });
    expect(byHeader.json).toMatchObject({ instance: 'b' });
    expect(byHeader.headers['x-wharf-handling-instance']).toBe('dep2-main-0');
  });

  it('sets X-Forwarded-For/Proto/Host and keeps the original Host', async () => {
    const a = await upstream('a');
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    const reply = await request(port, {
      headers: { host: 'dep1.localhost', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(reply.json.headers).toMatchObject({
      host: 'dep1.localhost',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'dep1.localhost',
    });
  });

  it('round-robins across healthy instances only', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const c = await upstream('c');
    const { port } = await startProxy([
      routeEntry('dep1', [
        at(a, 'dep1-main-0'),
        { ...at(c, 'dep1-main-2'), healthy: false },
        at(b, 'dep1-main-1'),
      ]),
    ]);
    const seen: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const reply = await request(port, { headers: { host: 'dep1.localhost' } });
      seen.push(String(reply.headers['x-wharf-handling-instance']));
    }
    expect(seen).toEqual([
      'dep1-main-0',
      'dep1-main-1',
      'dep1-main-0',
      'dep1-main-1',
      'dep1-main-0',
      'dep1-main-1',
    ]);
    expect(c.requests).toBe(0);
  });

  it('answers unknown deployments, bad ids and unroutable requests with Wharf error JSON', async () => {
    const a = await upstream('a');
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);

    const unknown = await request(port, { headers: { host: 'nope.localhost' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/json/);
    expect(unknown.json).toEqual({
      error: {
        code: 'WHARF_NOT_FOUND',
        message: 'no such deployment',
        details: [{ path: 'deployment', message: 'nope' }],
      },
    });

    const noKey = await request(port, { headers: { host: 'localhost' }, path: '/anything' });
    expect(noKey.status).toBe(404);
    expect(noKey.json.error.code).toBe('WHARF_NOT_FOUND');

    const badHeader = await request(port, { headers: { host: 'localhost', 'x-wharf-deployment': '../etc' } });
    expect(badHeader.status).toBe(400);
    expect(badHeader.json.error.code).toBe('WHARF_INVALID_ID');

    const badHost = await request(port, { headers: { host: 'bad_id.localhost' } });
    expect(badHost.status).toBe(404);
    expect(a.requests).toBe(0);
  });

  it('answers 502 JSON when a deployment has no healthy instance once the hold ran out', async () => {
    const a = await upstream('a');
    const { port } = await startProxy([routeEntry('dep1', [{ ...at(a, 'dep1-main-0'), healthy: false }])], {
      holdMs: 200,
    });
    const started = Date.now();
    const reply = await request(port, { headers: { host: 'dep1.localhost' } });
    expect(reply.status).toBe(502);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(reply.json.error).toMatchObject({ code: 'WHARF_UNAVAILABLE', message: 'no healthy instance' });
    expect(a.requests).toBe(0);
  });

  it('answers a shut-down deployment 503 WHARF_DEPLOYMENT_SHUT_DOWN at once, also a request held through its drain', async () => {
    const a = await upstream('a');
    const draining = routeEntry('dep1', [{ ...at(a, 'dep1-main-0'), healthy: false }]);
    const { port, source } = await startProxy([draining], { holdMs: 5_000 });
    const held = request(port, { headers: { host: 'dep1.localhost' } });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    source.set([{ ...routeEntry('dep1', []), shutdown: true }]);
    const reply = await held;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(reply.status).toBe(503);
    expect(reply.json.error).toMatchObject({
      code: 'WHARF_DEPLOYMENT_SHUT_DOWN',
      details: expect.any(Array),
    });
    const next = await request(port, { headers: { host: 'dep1.localhost' } });
    expect(next.status).toBe(503);
    expect(a.requests).toBe(0);
  });

  it('holds a request while no instance is routable and forwards it (with its body) once one is', async () => {
    const a = await upstream('a');
    const paused = routeEntry('dep1', [{ ...at(a, 'dep1-main-0'), healthy: false }]);
    const { port, source } = await startProxy([paused]);
    const reply = request(port, { method: 'POST', headers: { host: 'dep1.localhost' }, body: 'payload' });
    await new Promise((r) => setTimeout(r, 150));
    expect(a.requests).toBe(0);
    source.set([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    const answered = await reply;
    expect(answered.status).toBe(200);
    expect(answered.headers['x-wharf-handling-instance']).toBe('dep1-main-0');
    expect(answered.json).toMatchObject({ method: 'POST', body: 'payload' });
    expect(a.requests).toBe(1);
  });

  it('retries a body-less GET on another instance when one refuses, then holds the refusing one down', async () => {
    const dead = await refusedPort();
    const b = await upstream('b');
    const { port, metrics } = await startProxy([
      routeEntry('dep1', [at(dead, 'dep1-main-0'), at(b, 'dep1-main-1')]),
    ]);
    for (let i = 0; i < 6; i += 1) {
      const reply = await request(port, { headers: { host: 'dep1.localhost' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['x-wharf-handling-instance']).toBe('dep1-main-1');
    }
    expect(b.requests).toBe(6);
    const text = await metrics.registry.metrics();
    // One refused connect, one retry, one mark down: later requests skip the dead instance.
    expect(text).toMatch(/wharf_proxy_upstream_retries_total\{[^}]*\} 1\n/);
    expect(text).toMatch(/wharf_proxy_instance_ejections_total\{[^}]*\} 1\n/);
    expect(text).toMatch(/wharf_proxy_upstream_errors_total\{reason="ECONNREFUSED"[^}]*\} 1\n/);
  });

  it('retries a POST refused at connect on another instance, its body replayed', async () => {
    const dead = await refusedPort();
    const b = await upstream('b');
    const { port, metrics } = await startProxy([
      routeEntry('dep1', [at(dead, 'dep1-main-0'), at(b, 'dep1-main-1')]),
    ]);
    // A body in several chunks, so the replay is of what was held, not of one write.
    const body = JSON.stringify({ k: 'x'.repeat(20_000) });
    const reply = await request(port, { method: 'POST', headers: { host: 'dep1.localhost' }, body });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ instance: 'b', method: 'POST', body });
    expect(reply.headers['x-wharf-handling-instance']).toBe('dep1-main-1');
    expect(await metrics.registry.metrics()).toMatch(/wharf_proxy_upstream_retries_total\{[^}]*\} 1\n/);
  });

  it('does not retry a request reset after more of its body than the replay limit was sent', async () => {
    // Reads the body, then resets the connection without answering: a PUT may be retried, but not
    // once more than 64 KiB of it has gone (the proxy no longer holds it).
    const resetter = net.createServer((socket) => {
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > 65 * 1024) socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
    const resetPort = (resetter.address() as AddressInfo).port;
    const b = await upstream('b');
    const { port } = await startProxy([
      routeEntry('dep1', [at(resetPort, 'dep1-main-0'), at(b, 'dep1-main-1')]),
    ]);
    try {
      const reply = await request(port, {
        method: 'PUT',
        headers: { host: 'dep1.localhost' },
        body: 'x'.repeat(128 * 1024),
      });
      expect(reply.status).toBe(502);
      expect(reply.json.error).toMatchObject({
        code: 'WHARF_UNAVAILABLE',
        details: [
          { path: 'deployment', message: 'dep1' },
          { path: 'instance', message: 'dep1-main-0' },
          { path: 'attempts', message: '1' },
          { path: 'reason', message: 'ECONNRESET' },
        ],
      });
      expect(b.requests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => resetter.close(() => resolve()));
    }
    // The resetting instance is down now: the same request goes to the healthy one, body intact.
    const next = await request(port, {
      method: 'PUT',
      headers: { host: 'dep1.localhost' },
      body: 'y'.repeat(64 * 1024 + 1),
    });
    expect(next.json).toMatchObject({ instance: 'b', body: 'y'.repeat(64 * 1024 + 1) });
  });

  it('tries up to three instances, then answers 502 naming the last', async () => {
    const dead = [await refusedPort(), await refusedPort(), await refusedPort(), await refusedPort()];
    const { port } = await startProxy([
      routeEntry(
        'dep1',
        dead.map((p, i) => at(p, `dep1-main-${i}`)),
      ),
    ]);
    const reply = await request(port, { headers: { host: 'dep1.localhost' } });
    expect(reply.status).toBe(502);
    expect(reply.json.error.details).toEqual(
      expect.arrayContaining([
        { path: 'attempts', message: '3' },
        { path: 'reason', message: 'ECONNREFUSED' },
      ]),
    );
  });

  it('answers 502 when every instance refuses', async () => {
    const { port } = await startProxy([
      routeEntry('dep1', [at(await refusedPort(), 'dep1-main-0'), at(await refusedPort(), 'dep1-main-1')]),
    ]);
    const reply = await request(port, { headers: { host: 'dep1.localhost' } });
    expect(reply.status).toBe(502);
    expect(reply.json.error.details).toEqual(
      expect.arrayContaining([
        { path: 'attempts', message: '2' },
        { path: 'reason', message: 'ECONNREFUSED' },
      ]),
    );
  });

  it('answers 504 when an instance does not answer within the upstream timeout', async () => {
    const a = await upstream('a');
    a.delayMs = 1_000;
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])], {
      upstreamTimeoutMs: 100,
    });
    const reply = await request(port, { headers: { host: 'dep1.localhost' } });
    expect(reply.status).toBe(504);
    expect(reply.json.error.code).toBe('WHARF_TIMEOUT');
    expect(a.requests).toBe(1); // a timeout is not a connect failure: never retried
  });

  it('reuses upstream connections (keep-alive) and keeps client connections open', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0'), at(b, 'dep1-main-1')])]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let clientSockets = 0;
    const proxyConnections = new Set<unknown>();
    try {
      const batch = async () =>
        Promise.all(
          Array.from({ length: 4 }, async () => {
            const reply = await request(port, { headers: { host: 'dep1.localhost' }, agent });
            expect(reply.status).toBe(200);
            expect(reply.headers.connection).toBe('keep-alive');
          }),
        );
      agent.on('free', (socket) => proxyConnections.add(socket));
      for (let i = 0; i < 50; i += 1) await batch();
      clientSockets = proxyConnections.size;
    } finally {
      agent.destroy();
    }
    expect(a.requests + b.requests).toBe(200);
    expect(clientSockets).toBeLessThanOrEqual(4);
    // 200 requests, at most 4 concurrent: a handful of upstream connections, not one per request.
    expect(a.connections + b.connections).toBeLessThanOrEqual(8);
  });

  it('serves /_health 502 until the table is initialised, then 200 with the ECE body', async () => {
    const a = await upstream('a');
    const { port, source, proxy } = await startProxy();
    const before = await request(port, { path: '/_health', headers: { host: 'localhost' } });
    expect(before.status).toBe(502);
    expect(before.json).toEqual({ ok: false, status: 502 });
    const early = await request(port, { headers: { host: 'dep1.localhost' } });
    expect(early.status).toBe(502);
    expect(early.json.error.message).toBe('routing table not initialised');

    source.set([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    await waitForTable(proxy);
    const after = await request(port, { path: '/_health', headers: { host: `127.0.0.1:${port}` } });
    expect(after.status).toBe(200);
    expect(after.text).toBe('{"ok":true,"status":200}');
  });

  it('sends /_health of a deployment host to the deployment, not to the proxy', async () => {
    const a = await upstream('a');
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    const reply = await request(port, { path: '/_health', headers: { host: 'dep1.localhost' } });
    expect(reply.json).toMatchObject({ instance: 'a', url: '/_health' });
  });

  it('serves its own metrics on /_metrics', async () => {
    const a = await upstream('a');
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    await request(port, { headers: { host: 'dep1.localhost' } });
    const reply = await request(port, { path: '/_metrics', headers: { host: 'localhost' } });
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(/wharf_proxy_requests_total\{outcome="ok",status_class="2xx"[^}]*\} 1/);
    expect(reply.text).toMatch(/wharf_proxy_route_table_deployments_count\{[^}]*\} 1/);
  });

  it('logs one access line per request at debug level without headers', async () => {
    const a = await upstream('a');
    const { port, logger } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    await request(port, { headers: { host: 'dep1.localhost', authorization: 'Bearer secret' } });
    await new Promise((r) => setTimeout(r, 20));
    const lines = logger.entries.filter((e) => e.message === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('debug');
    expect(lines[0]!.meta).toMatchObject({
      method: 'GET',
      deployment: 'dep1',
      instance: 'dep1-main-0',
      status: 200,
    });
    expect(typeof lines[0]!.meta.response_time).toBe('number');
    expect(JSON.stringify(lines[0]!.meta)).not.toContain('secret');
  });

  it('survives a client that hangs up while the instance is still working', async () => {
    const a = await upstream('a');
    a.delayMs = 200;
    const { port, metrics } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, headers: { host: 'dep1.localhost' }, agent: false });
      req.on('error', () => resolve());
      setTimeout(() => req.destroy(), 50);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await request(port, { headers: { host: 'dep1.localhost' } })).status).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/wharf_proxy_requests_total\{outcome="client_aborted",status_class="none"[^}]*\} 1/);
  });

  it('cuts the client connection when an instance dies mid-response, and keeps serving', async () => {
    const broken = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenPort = (broken.address() as { port: number }).port;
    const b = await upstream('b');
    try {
      const { port } = await startProxy([
        routeEntry('dep1', [at(brokenPort, 'dep1-main-0'), at(b, 'dep1-main-1')]),
      ]);
      await expect(request(port, { headers: { host: 'dep1.localhost' } })).rejects.toThrow(
        /aborted|socket hang up|ECONNRESET/,
      );
      expect(b.requests).toBe(0); // the response had started: never retried
      expect((await request(port, { headers: { host: 'dep1.localhost' } })).json.instance).toBe('b');
    } finally {
      broken.closeAllConnections();
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });

  it('streams chunked bodies both ways and keeps end-to-end headers, dropping hop-by-hop ones', async () => {
    const echo = http.createServer((req, res) => {
      res.writeHead(201, {
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
        'x-seen-hop': String(req.headers['x-hop']),
      });
      req.on('data', (chunk: Buffer) => res.write(chunk.toString().toUpperCase()));
      req.on('end', () => res.end('!'));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = await startProxy([
        routeEntry('dep1', [at((echo.address() as { port: number }).port, 'dep1-main-0')]),
      ]);
      const reply = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
        (resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              agent: false,
              headers: { host: 'dep1.localhost', connection: 'x-hop', 'x-hop': 'secret' },
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
            },
          );
          req.on('error', reject);
          req.write('abc');
          setTimeout(() => req.end('def'), 20);
        },
      );
      expect(reply.status).toBe(201);
      expect(reply.headers['transfer-encoding']).toBe('chunked');
      expect(reply.text).toBe('ABCDEF!');
      expect(reply.headers['x-seen-hop']).toBe('undefined'); // named by Connection: not forwarded
      expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(reply.headers['x-wharf-handling-instance']).toBe('dep1-main-0');
    } finally {
      echo.closeAllConnections();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });

  it('answers HEAD without a body', async () => {
    const a = await upstream('a');
    const { port } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    const reply = await request(port, { method: 'HEAD', headers: { host: 'dep1.localhost' } });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    expect(reply.headers['x-wharf-handling-instance']).toBe('dep1-main-0');
  });

  it('drains in-flight requests on close, then refuses new connections', async () => {
    const a = await upstream('a');
    a.delayMs = 300;
    const { port, proxy } = await startProxy([routeEntry('dep1', [at(a, 'dep1-main-0')])]);
    const slow = request(port, { headers: { host: 'dep1.localhost' } });
    await new Promise((r) => setTimeout(r, 100));
    const closing = proxy.close();
    expect(proxy.state).toBe('draining');
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
    await closing;
    expect(proxy.state).toBe('closed');
    await expect(request(port, { headers: { host: 'dep1.localhost' } })).rejects.toThrow(/ECONNREFUSED/);
  });
});
