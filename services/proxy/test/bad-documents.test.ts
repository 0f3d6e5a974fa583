/**
 * Another service's bad data never stops the proxy: a route znode holding garbage JSON is logged
 * once (not on every table rebuild) and skipped, while the other deployments keep routing.
 */
import { paths, serializeDocument } from '@wharf/model';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { createProxy, type WharfProxy } from '../src';
import { instance, routeEntry } from './fixtures';
import { request, startUpstream, type Upstream } from './helpers';

jest.setTimeout(60_000);

const zk = useZooKeeper();
let proxy: WharfProxy | undefined;
let upstream: Upstream | undefined;

afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
});

test('a garbage route is skipped and logged once; other routes keep working', async () => {
  const writer = await zk.session();
  await writer.mkdirp(paths.routes());
  upstream = await startUpstream('a');
  const route = (d: string, instanceId: string) =>
    serializeDocument('route', routeEntry(d, [instance(instanceId, { port: upstream!.port })]));
  await writer.create(paths.route('good'), route('good', 'good-main-0'));
  await writer.create(paths.route('broken'), '{"deployment_id": "broken", garbage');
  const logger = createTestLogger();
  proxy = createProxy({
    zk: await zk.session(),
    logger,
    metrics: createMetrics('proxy'),
    id: 'proxy-bad-docs',
    zone: 'zone-a',
    port: 0,
  });
  const { port } = await proxy.start();
  const get = (d: string) => request(port, { headers: { host: `${d}.localhost` } });
  await waitFor(async () => (await get('good')).status === 200, { message: 'good routed' });
  expect((await get('broken')).status).toBe(404);

  // More rebuilds of the table: the same bad route is not reported again.
  for (const d of ['other1', 'other2']) {
    await writer.create(paths.route(d), route(d, `${d}-main-0`));
    await waitFor(async () => (await get(d)).status === 200, { message: `${d} routed` });
  }
  const skips = logger.entries.filter(
    (e) => e.message === 'route document skipped' && (e.meta as { route?: string }).route === 'broken',
  );
  expect(skips).toHaveLength(1);
  expect((await get('good')).status).toBe(200);
});
