/**
 * The HAProxy data plane with routes from a real ZooKeeper: a `/routes` write reaches HAProxy,
 * the registration advertises HAProxy's port, and HAProxy keeps routing with the last table while
 * ZooKeeper is down (nothing reprograms it; the Node proxy's cache keeps the table too).
 */
import { paths, parseDocument } from '@wharf/model';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { HaproxyDataPlane, createProxy, type WharfProxy } from '../src';
import { instance, routeEntry } from './fixtures';
import { refusedPort, request, startUpstream, writeRoute, type Upstream } from './helpers';

jest.setTimeout(60_000);

const zk = useZooKeeper();
let proxy: WharfProxy | undefined;
let upstream: Upstream | undefined;

afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
});

it('routes /routes through HAProxy and keeps routing while ZooKeeper is down', async () => {
  const writer = await zk.session();
  await writer.mkdirp(paths.routes());
  upstream = await startUpstream('dep1-main-0');
  await writeRoute(writer, routeEntry('dep1', [instance('dep1-main-0', { port: upstream.port })]));
  const session = await zk.session();
  const lost: string[] = [];
  session.onStateChange((change) => lost.push(change.event));
  const logger = createTestLogger();
  const port = await refusedPort();
  const plane = new HaproxyDataPlane({ logger, host: '127.0.0.1', port, domain: 'localhost', slots: 2 });
  proxy = createProxy({
    zk: session,
    logger,
    metrics: createMetrics('proxy'),
    id: 'proxy-ha',
    dataPlane: plane,
  });
  await proxy.start();
  const get = () => request(port, { headers: { host: 'dep1.localhost' } });
  const nodeServed = (): number => proxy!.counters().requests;
  await waitFor(
    async () => {
      const before = nodeServed();
      return (await get()).json?.instance === 'dep1-main-0' && nodeServed() === before;
    },
    { message: 'dep1 routed by haproxy' },
  );
  const registration = parseDocument(
    'service-registration',
    (await writer.get(paths.proxy('proxy-ha'))).data,
  );
  expect(registration.port).toBe(port);

  const pid = plane.pid;
  await zk.zk.stop();
  await waitFor(() => lost.includes('lost'), { timeoutMs: 15_000, message: 'session lost' });
  const before = nodeServed();
  for (let i = 0; i < 5; i += 1) {
    const reply = await get();
    expect(reply.status).toBe(200);
    expect(reply.headers['x-wharf-handling-instance']).toBe('dep1-main-0');
  }
  expect(nodeServed()).toBe(before);
  expect(plane.pid).toBe(pid);
  await zk.zk.start();
});
