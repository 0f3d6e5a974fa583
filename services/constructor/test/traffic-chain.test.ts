/**
 * Proxy traffic from the wire to the day documents, with real components: the `wharf-proxy`
 * binary (built `services/proxy/dist/main.js`) forwards real requests to a real upstream and
 * flushes its counts to a real ZooKeeper; it is SIGKILLed and started again under the same id;
 * then the rollup runs (on a manual clock past the hour), its first leader dying half-way. The
 * day documents hold exactly the bytes and requests the client sent and received — nothing
 * counted twice across the crash or the failover. (The price of those figures is checked by the
 * api's billing tests.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  parseDocument,
  paths,
  serializeDocument,
  sumTraffic,
  trafficHourEnd,
  type TrafficTally,
} from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { freePort, useZooKeeper, waitFor } from '@wharf/testkit';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { MeteringLoop } from '../src/metering/metering-loop';

jest.setTimeout(60_000);

const PROXY_MAIN = join(__dirname, '..', '..', 'proxy', 'dist', 'main.js');
const zkf = useZooKeeper();
const children = new Set<ChildProcess>();
let upstream: Server;

beforeAll(async () => {
  // Echoes the body back twice: response bytes differ from request bytes.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(Buffer.concat([...chunks, ...chunks])));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await new Promise((resolve) => upstream.close(resolve));
});

async function startProxy(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [PROXY_MAIN], {
    env: {
      ...process.env,
      WHARF_ZK: zkf.connectString,
      WHARF_ZK_CHROOT: zkf.chroot,
      WHARF_ID: 'proxy-chain',
      WHARF_PROXY_PORT: String(port),
      WHARF_PROXY_TRAFFIC_FLUSH_MS: '100',
      WHARF_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  children.add(child);
  await waitFor(() => healthy(port), { timeoutMs: 30_000, message: 'proxy up' });
  return { child, port };
}

/** The proxy's own `/_health` (names no deployment: not metered). */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/_health', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** POSTs `body` to `deployment` through the proxy; the response's byte count (-1: no answer). */
function post(port: number, deployment: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', headers: { host: `${deployment}.localhost` }, agent: false },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(res.statusCode === 200 ? bytes : -1));
      },
    );
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

/** The proxy's flushed counts, summed over the hours they fell in (the test may straddle one). */
async function flushed(zk: ZkSession): Promise<Map<string, TrafficTally>> {
  const docs = new DocumentStore(zk);
  const all = [];
  for (const hour of await docs.readChildren(paths.trafficRoot()))
    for (const proxy of await docs.readChildren(paths.trafficHour(hour)))
      all.push((await docs.read('traffic-counts', paths.trafficCounts(hour, proxy)))!.value);
  return sumTraffic(all);
}

/** The deployment's traffic in its day documents, summed. */
async function rolledUp(zk: ZkSession, id: string): Promise<TrafficTally> {
  const sum = { in_bytes: 0, out_bytes: 0, requests: 0 };
  for (const day of await zk.children(paths.meteringCursor(id))) {
    const doc = parseDocument('metering-day', (await zk.get(paths.meteringDay(id, day))).data.toString());
    for (const t of doc.traffic ?? []) {
      sum.in_bytes += t.in_bytes;
      sum.out_bytes += t.out_bytes;
      sum.requests += t.requests;
    }
  }
  return sum;
}

test('a real proxy crash and a leader failover neither lose flushed traffic nor count it twice', async () => {
  const zk = await zkf.session();
  await zk.mkdirp(paths.routes());
  const port = (upstream.address() as AddressInfo).port;
  for (const id of ['c1', 'c2']) {
    const instances = [
      {
        instance_id: `${id}-x-0`,
        allocator_id: 'a1',
        ref_id: 'main',
        zone: 'zone-a',
        host: '127.0.0.1',
        port,
        healthy: true,
      },
    ];
    const route = {
      schema_version: 1 as const,
      deployment_id: id,
      instances,
      updated: new Date().toISOString(),
    };
    await zk.create(paths.route(id), serializeDocument('route', route));
  }
  const first = await startProxy();
  const expected = {
    c1: { in_bytes: 0, out_bytes: 0, requests: 0 },
    c2: { in_bytes: 0, out_bytes: 0, requests: 0 },
  };
  const send = async (p: number, id: 'c1' | 'c2', body: string) => {
    expect(await post(p, id, body)).toBe(2 * body.length);
    expected[id].in_bytes += body.length;
    expected[id].out_bytes += 2 * body.length;
    expected[id].requests += 1;
  };
  for (const body of ['a'.repeat(1000), 'b'.repeat(100_000)]) await send(first.port, 'c1', body);
  await send(first.port, 'c2', 'xyz');
  await waitFor(async () => (await flushed(zk)).get('c2')?.requests === 1, { message: 'first flush' });
  expect(Object.fromEntries(await flushed(zk))).toEqual(expected);

  first.child.kill('SIGKILL');
  const second = await startProxy();
  await send(second.port, 'c2', 'q'.repeat(77));
  await waitFor(async () => (await flushed(zk)).get('c2')?.requests === 2, { message: 'second flush' });
  // The restarted proxy added to what the killed one had written: nothing twice.
  expect(Object.fromEntries(await flushed(zk))).toEqual(expected);
  expect(expected).toEqual({
    c1: { in_bytes: 101_000, out_bytes: 202_000, requests: 2 },
    c2: { in_bytes: 80, out_bytes: 160, requests: 2 },
  });
  second.child.kill('SIGKILL');

  // The rollup, past every hour the test touched; the first leader dies after c1.
  const hours = await zk.children(paths.trafficRoot());
  const now = Math.max(...hours.map(trafficHourEnd)) + 3 * 60_000;
  const loop = (afterTrafficDeployment?: (id: string) => void) =>
    new MeteringLoop({
      zk,
      logger: createTestLogger(),
      clock: { now: () => now },
      tickMs: 60_000,
      afterTrafficDeployment,
    });
  await expect(
    loop((id) => {
      if (id === 'c1') throw new Error('leader died');
    }).rollUpTraffic(now),
  ).rejects.toThrow('leader died');
  await loop().rollUpTraffic(now);
  await loop().rollUpTraffic(now);
  expect(await rolledUp(zk, 'c1')).toEqual(expected.c1);
  expect(await rolledUp(zk, 'c2')).toEqual(expected.c2);
  expect(await zk.children(paths.trafficHour(hours[0]!))).toEqual([]);
});
