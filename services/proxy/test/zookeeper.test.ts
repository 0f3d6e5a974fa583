/**
 * The proxy against a real ZooKeeper: routes from `/routes`, registration under `/proxies` and
 * `/services/proxy`, and serving from the cached table while ZooKeeper is down.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, paths } from '@wharf/model';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import type { ZkSession } from '@wharf/zk';
import { ZkRouteSource, createProxy, type RouteSourceEvent, type WharfProxy } from '../src';
import { instance, routeEntry } from './fixtures';
import { request, startUpstream, writeRoute, type Upstream } from './helpers';

jest.setTimeout(60_000);

const zk = useZooKeeper();
const proxies: WharfProxy[] = [];
const upstreams: Upstream[] = [];

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

async function upstream(name: string): Promise<Upstream> {
  const u = await startUpstream(name);
  upstreams.push(u);
  return u;
}

async function startProxy(session: ZkSession, id = 'proxy-1'): Promise<{ proxy: WharfProxy; port: number }> {
  const proxy = createProxy({
    zk: session,
    logger: createTestLogger(),
    metrics: createMetrics('proxy'),
    id,
    zone: 'zone-a',
    port: 0,
    statsIntervalMs: 100,
  });
  proxies.push(proxy);
  const address = await proxy.start();
  return { proxy, port: address.port };
}

const get = (port: number, deployment: string) =>
  request(port, { headers: { host: `${deployment}.localhost` } });

describe('proxy with ZooKeeper', () => {
  it('routes from /routes and follows writes and deletes', async () => {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const a = await upstream('a');
    const b = await upstream('b');
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: a.port })]));
    const { port } = await startProxy(await zk.session());

    await waitFor(async () => (await get(port, 'dep1')).status === 200, { message: 'dep1 routed' });
    expect((await get(port, 'dep1')).json.instance).toBe('a');

    // A second instance appears: both now take turns.
    await writeRoute(
      writer,
      routeEntry('dep1', [
        instance('dep1-main-0', { port: a.port }),
        instance('dep1-main-1', { port: b.port }),
      ]),
    );
    await waitFor(async () => (await get(port, 'dep1')).json.instance === 'b', {
      message: 'dep1-main-1 routed',
    });
    const seen = new Set<string>();
    for (let i = 0; i < 4; i += 1)
      seen.add(String((await get(port, 'dep1')).headers['x-wharf-handling-instance']));
    expect(seen).toEqual(new Set(['dep1-main-0', 'dep1-main-1']));

    // A new deployment, and a bad document beside it that must not break anything.
    await writer.create(paths.route('broken'), '{"not":"a route"}');
    await writeRoute(writer, routeEntry('dep2', [instance('dep2-main-0', { port: b.port })]));
    await waitFor(async () => (await get(port, 'dep2')).status === 200, { message: 'dep2 routed' });
    expect((await get(port, 'broken')).status).toBe(404);
    expect((await get(port, 'dep1')).status).toBe(200);

    await writer.delete(paths.route('dep1'));
    await waitFor(async () => (await get(port, 'dep1')).status === 404, { message: 'dep1 removed' });
  });

  it('keeps the last routes when /routes itself is gone (a wiped tree), and follows it once restored', async () => {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const a = await upstream('a');
    const b = await upstream('b');
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: a.port })]));
    await writeRoute(writer, routeEntry('dep2', [instance('dep2-main-0', { port: b.port })]));
    const { port } = await startProxy(await zk.session());
    await waitFor(async () => (await get(port, 'dep2')).status === 200, { message: 'dep2 routed' });

    // ZooKeeper restarted on an empty data directory: sessions expire, the whole tree is gone.
    await zk.zk.stop();
    await rm(join(zk.zk.dataDir, 'version-2'), { recursive: true, force: true });
    await zk.zk.start();
    const top = await zk.session({ chroot: '' });
    await waitFor(async () => ((await top.exists(zk.chroot)) === null ? true : undefined), {
      message: 'tree empty',
    });
    await new Promise((r) => setTimeout(r, 3_000)); // past the proxy's session timeout
    expect((await get(port, 'dep1')).json.instance).toBe('a');
    expect((await get(port, 'dep2')).json.instance).toBe('b');

    // The restore brings /routes back (dep2 no longer in it): the proxy follows the restored tree.
    await top.mkdirp(zk.chroot);
    await writer.mkdirp(paths.routes());
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: b.port })]));
    await waitFor(async () => (await get(port, 'dep1')).json.instance === 'b', { message: 'dep1 restored' });
    await waitFor(async () => (await get(port, 'dep2')).status === 404, { message: 'dep2 gone' });
  });

  it('registers /proxies/<id> with refreshed stats and /services/proxy/<id>, and deregisters on close', async () => {
    const observer = await zk.session();
    await observer.mkdirp(paths.routes());
    const { proxy, port } = await startProxy(await zk.session(), 'proxy-7');
    await get(port, 'whatever');
    const registration = await waitFor(async () => {
      const doc = parseDocument('service-registration', (await observer.get(paths.proxy('proxy-7'))).data);
      return (doc.stats?.requests ?? 0) >= 1 ? doc : undefined;
    });
    expect(registration).toMatchObject({
      id: 'proxy-7',
      service: 'proxy',
      address: '127.0.0.1',
      port,
      zone: 'zone-a',
    });
    expect(registration.stats).toMatchObject({ deployments: 0 });
    const service = await observer.get(paths.serviceLive('proxy', 'proxy-7'));
    expect(service.stat.ephemeralOwner).not.toBeNull();

    await proxy.close();
    expect(await observer.exists(paths.proxy('proxy-7'))).toBeNull();
    expect(await observer.exists(paths.serviceLive('proxy', 'proxy-7'))).toBeNull();
  });

  /**
   * A proxy on its own session with `dep1` routed to upstream `a`; `events` records that session's
   * state changes and `writer` is a second session for route writes.
   */
  async function proxyRoutingDep1(): Promise<{
    writer: ZkSession;
    port: number;
    events: string[];
    a: Upstream;
  }> {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    const a = await upstream('a');
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: a.port })]));
    const session = await zk.session();
    const events: string[] = [];
    session.onStateChange((change) => events.push(change.event));
    const { port } = await startProxy(session);
    await waitFor(async () => (await get(port, 'dep1')).status === 200, { message: 'dep1 routed' });
    return { writer, port, events, a };
  }

  it('keeps serving the last table while ZooKeeper is down, and picks up new routes after it returns', async () => {
    const { writer, port, events } = await proxyRoutingDep1();

    await zk.zk.stop();
    // Past the 2 s test session timeout: the session is lost, the table is not.
    await waitFor(() => events.includes('lost'), { timeoutMs: 15_000, message: 'session lost' });
    for (let i = 0; i < 5; i += 1) {
      const reply = await get(port, 'dep1');
      expect(reply.status).toBe(200);
      expect(reply.json.instance).toBe('a');
    }
    const health = await request(port, { path: '/_health', headers: { host: 'localhost' } });
    expect(health.status).toBe(200);

    await zk.zk.start();
    const b = await upstream('b');
    await waitFor(
      async () => {
        await writeRoute(writer, routeEntry('dep2', [instance('dep2-main-0', { port: b.port })]));
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'route written after restart' },
    );
    await waitFor(async () => (await get(port, 'dep2')).status === 200, {
      timeoutMs: 30_000,
      message: 'dep2 routed after restart',
    });
    expect((await get(port, 'dep1')).json.instance).toBe('a');
    expect(events).toEqual(expect.arrayContaining(['suspended', 'lost', 'reconnected']));
  });

  it('keeps serving while ZooKeeper is frozen (a stalled server, not a closed socket)', async () => {
    const { writer, port, events, a } = await proxyRoutingDep1();

    await zk.zk.freeze();
    try {
      await waitFor(() => events.includes('suspended'), { timeoutMs: 15_000, message: 'stall detected' });
      for (let i = 0; i < 5; i += 1) expect((await get(port, 'dep1')).json.instance).toBe('a');
    } finally {
      zk.zk.thaw();
    }
    await waitFor(
      async () => {
        await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-1', { port: a.port })]));
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'route written after thaw' },
    );
    await waitFor(
      async () => (await get(port, 'dep1')).headers['x-wharf-handling-instance'] === 'dep1-main-1',
      {
        timeoutMs: 30_000,
        message: 'route change seen after thaw',
      },
    );
  });

  it('refreshes by reloading /routes into a fresh cache, and keeps the old one when ZooKeeper is down', async () => {
    const writer = await zk.session();
    await writer.mkdirp(paths.routes());
    await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0')]));
    const source = new ZkRouteSource({ zk: await zk.session(), logger: createTestLogger() });
    const events: RouteSourceEvent[] = [];
    source.subscribe((event) => events.push(event));
    await source.start();
    const names = () => [...(source.documents() ?? [])].map((d) => d.name).sort();
    expect(names()).toEqual(['dep1']);
    expect(events).toEqual([{ type: 'initialized' }]);

    await writeRoute(writer, routeEntry('dep2', [instance('dep2-main-0')]));
    await waitFor(() => events.some((e) => e.type === 'changed' && e.name === 'dep2'), {
      message: 'dep2 event',
    });
    await source.refresh();
    expect(events.at(-1)).toEqual({ type: 'resynced' });
    expect(names()).toEqual(['dep1', 'dep2']);

    await zk.zk.stop();
    try {
      await expect(source.refresh()).rejects.toMatchObject({ code: 'WHARF_ZK_CONNECTION_LOSS' });
      expect(names()).toEqual(['dep1', 'dep2']);
    } finally {
      await zk.zk.start();
      await source.close();
    }
  });
});
