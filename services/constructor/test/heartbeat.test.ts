/**
 * The leader's heartbeat against a real ZooKeeper: it finds the proxies in `/services/proxy`, asks
 * each routed deployment's `/` through one, counts "an instance answered below 500" as up (the
 * proxy's own 502 without an answering instance is down), writes the counts to
 * `/availability/<id>`, and deletes the record of a deployment whose route is gone. The proxy here
 * is a stand-in speaking the proxy's contract (the `x-wharf-deployment` and
 * `x-wharf-handling-instance` headers); the e2e test probes through the real one.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { parseDocument, paths, serializeDocument, type EventInput } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { SYSTEM_CLOCK } from '../src/clock';
import { Heartbeat } from '../src/health/heartbeat';

jest.setTimeout(30_000);

const zkf = useZooKeeper();
let proxy: Server;

afterEach(async () => {
  await new Promise((r) => proxy?.close(r));
});

test('probes routed deployments through a registered proxy and records their availability', async () => {
  const seen: string[] = [];
  proxy = createServer((req, res) => {
    const id = String(req.headers['x-wharf-deployment']);
    seen.push(id);
    if (id === 'up-dep') res.writeHead(404, { 'x-wharf-handling-instance': 'up-dep-main-0' }).end('{}');
    else res.writeHead(502).end('{"error":{"code":"WHARF_UPSTREAM"}}');
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as AddressInfo).port;
  const zk = await zkf.session();
  await zk.mkdirp(`${paths.services()}/proxy`);
  await zk.create(
    paths.serviceLive('proxy', 'p1'),
    serializeDocument('service-registration', {
      schema_version: 1,
      id: 'p1',
      service: 'proxy',
      address: '127.0.0.1',
      port,
      version: '0.1.0',
      started: new Date().toISOString(),
    }),
  );
  await zk.mkdirp(paths.routes());
  for (const id of ['up-dep', 'down-dep', 'new-dep']) await zk.create(paths.route(id), '{}');
  // new-dep is being created: a pending plan, no current one yet. It is not probed until it has one.
  await zk.mkdirp(paths.plan('new-dep'));
  await zk.create(paths.planPending('new-dep'), '{}');

  const events: EventInput[] = [];
  const heartbeat = new Heartbeat({
    zk,
    logger: createTestLogger(),
    clock: SYSTEM_CLOCK,
    intervalMs: 100,
    flushMs: 300,
    events: { emit: (e) => events.push(e) },
    unavailableAlertMs: 250,
  });
  heartbeat.start();
  try {
    const read = async (id: string) => {
      const node = await zk.exists(paths.availability(id));
      return node === null
        ? undefined
        : parseDocument('availability', (await zk.get(paths.availability(id))).data.toString());
    };
    const up = await waitFor(
      async () => {
        const r = await read('up-dep');
        return r !== undefined && r.hours[0]!.probes >= 3 ? r : undefined;
      },
      { message: 'up-dep counted' },
    );
    expect(up.hours[0]!.up).toBe(up.hours[0]!.probes);
    expect(up.last).toMatchObject({ up: true, status: 404 });
    const down = await waitFor(
      async () => {
        const r = await read('down-dep');
        return r !== undefined && r.hours[0]!.probes >= 3 ? r : undefined;
      },
      { message: 'down-dep counted' },
    );
    expect(down.hours[0]!.up).toBe(0);
    expect(down.last).toMatchObject({ up: false, status: 502 });
    // Down past the alert time: reported once (not on every failed probe); the answering one never.
    await waitFor(() => events.length > 0, { message: 'deployment-unavailable reported' });
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'deployment-unavailable',
        severity: 'critical',
        deployment_id: 'down-dep',
      }),
    ]);

    expect(seen).not.toContain('new-dep');
    expect(await read('new-dep')).toBeUndefined();
    // Its create plan completes: from then on it is probed (this stand-in answers it as down).
    await zk.create(paths.planCurrent('new-dep'), '{}');
    await zk.delete(paths.planPending('new-dep'));
    await waitFor(async () => ((await read('new-dep')) === undefined ? undefined : true), {
      message: 'new-dep counted once created',
    });

    // The deployment goes: its route first, then its availability record at the next flush.
    await zk.delete(paths.route('down-dep'));
    await waitFor(async () => ((await read('down-dep')) === undefined ? true : undefined), {
      message: 'down-dep record removed',
    });
  } finally {
    await heartbeat.close();
  }
  expect(seen).toContain('up-dep');
});
