/**
 * Traffic metering with a real proxy, a real upstream and a real ZooKeeper: requests with known
 * bodies are counted per deployment (bytes in, bytes out, requests) and written to
 * `/metering-traffic/<hour>/<proxy>`; a restarted proxy adds to what it wrote before (no double
 * count), and counts of an hour the rollup has closed are dropped, never added after it.
 */
import { parseDocument, paths, trafficHourOf, type TrafficCounts } from '@wharf/model';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { useZooKeeper } from '@wharf/testkit';
import type { ZkSession } from '@wharf/zk';
import { createProxy, systemClock, type WharfProxy } from '../src';
import { instance, routeEntry } from './fixtures';
import { request, startUpstream, writeRoute, type Upstream } from './helpers';

jest.setTimeout(60_000);

const zkf = useZooKeeper();
let upstream: Upstream;
/** One fixed wall-clock time: the test cannot straddle an hour boundary. */
const NOW = Date.now();

beforeAll(async () => {
  upstream = await startUpstream('a');
});
afterAll(() => upstream.close());

function startProxy(zk: ZkSession): { proxy: WharfProxy; port: () => Promise<number> } {
  // A long interval: the counts are written by close() (its last flush), at a known moment.
  const proxy = createProxy({
    zk,
    logger: createTestLogger(),
    metrics: createMetrics('proxy'),
    id: 'proxy-t',
    port: 0,
    holdMs: 0,
    trafficFlushMs: 3_600_000,
    clock: { ...systemClock, now: () => NOW },
  });
  return { proxy, port: async () => (await proxy.start()).port };
}

/** Sends `bodies` to `deployment`; the response bytes the client received. */
async function send(port: number, deployment: string, bodies: string[]): Promise<number> {
  let out = 0;
  for (const body of bodies) {
    const reply = await request(port, {
      method: 'POST',
      headers: { host: `${deployment}.localhost`, 'content-type': 'text/plain' },
      body,
    });
    expect(reply.status).toBe(200);
    out += Buffer.byteLength(reply.text);
  }
  return out;
}

async function counts(zk: ZkSession, hour: string): Promise<TrafficCounts['deployments']> {
  const node = await zk.get(paths.trafficCounts(hour, 'proxy-t'));
  return parseDocument('traffic-counts', node.data.toString()).deployments;
}

test('counts bytes and requests per deployment; a restart adds, a closed hour drops', async () => {
  const zk = await zkf.session();
  await zk.mkdirp(paths.routes());
  for (const d of ['t1', 't2'])
    await writeRoute(zk, routeEntry(d, [instance(`${d}-x-0`, { port: upstream.port })]));
  const hour = trafficHourOf(NOW);

  const first = startProxy(zk);
  const port = await first.port();
  const out1 = await send(port, 't1', ['a'.repeat(1000), 'b'.repeat(70_000), '']);
  const out2 = await send(port, 't2', ['xyz']);
  await first.proxy.close();
  // 70,000 bytes: past the 64 KiB replay buffer, still counted in full.
  expect(await counts(zk, hour)).toEqual({ t1: [71_000, out1, 3], t2: [3, out2, 1] });

  // A new process of the same proxy continues from what is stored: nothing counted twice.
  const second = startProxy(zk);
  const out3 = await send(await second.port(), 't1', ['c'.repeat(10)]);
  await second.proxy.close();
  expect(await counts(zk, hour)).toEqual({ t1: [71_010, out1 + out3, 4], t2: [3, out2, 1] });

  // The rollup closed the hour (version 1): later counts are dropped, the frozen document stays.
  await zk.set(
    paths.trafficHour(hour),
    Buffer.from(JSON.stringify({ schema_version: 1, hour, state: 'closed' })),
    0,
  );
  const third = startProxy(zk);
  await send(await third.port(), 't2', ['late']);
  await third.proxy.close();
  expect(await counts(zk, hour)).toEqual({ t1: [71_010, out1 + out3, 4], t2: [3, out2, 1] });
});
