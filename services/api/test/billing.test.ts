/**
 * Billing against a real ZooKeeper: a price list is set (bad prices refused, nothing written),
 * metering records (as the constructor leader writes them) are priced per deployment × stack for a
 * period, as JSON and as CSV; an organization's key gets only its own usage; bad queries name
 * the parameter.
 */
import { paths, serializeDocument, type MeteringDay } from '@wharf/model';
import { startZooKeeper, type TestZooKeeper } from '@wharf/testkit';
import { startHarness, type Harness } from './helpers/harness';
import { dumpTree } from './helpers/tree';

jest.setTimeout(30_000);

const PRICING = '/api/v1/platform/configuration/pricing';
const USAGE = '/api/v1/billing/usage';
const KEYS = '/api/v1/platform/configuration/security/api-keys';

describe('billing', () => {
  let server: TestZooKeeper;
  let h: Harness;

  beforeAll(async () => {
    server = await startZooKeeper();
    h = await startHarness(server.connectString, '/api-billing');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  async function meter(doc: MeteringDay): Promise<void> {
    await h.zk.mkdirp(paths.meteringCursor(doc.deployment_id));
    await h.zk.create(paths.meteringDay(doc.deployment_id, doc.day), serializeDocument('metering-day', doc));
  }

  it('refuses a bad price list naming the field and writes nothing; answers 409 before one is set', async () => {
    const before = await dumpTree(h.zk);
    const bad = await h.call('PUT', PRICING, { currency: 'EUR', memory_gb_hour_micros: -5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'memory_gb_hour_micros', message: expect.any(String) }]);
    const none = await h.call('GET', `${USAGE}?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z`);
    expect(none.status).toBe(409);
    expect(await dumpTree(h.zk)).toEqual(before);
  });

  it('prices metered usage per deployment and stack, as JSON and CSV, scoped by organization', async () => {
    expect((await h.call('POST', '/api/v1/organizations', { id: 'acme', name: 'Acme' })).status).toBe(201);
    const set = await h.call('PUT', PRICING, {
      currency: 'EUR',
      instance_hour_micros: 10_000,
      memory_gb_hour_micros: 7_000,
      cpu_hour_micros: 2_000,
      storage_gb_hour_micros: 100,
      transfer_gb_micros: 90_000,
    });
    expect(set.status).toBe(200);
    await meter({
      schema_version: 1,
      deployment_id: 'd1',
      organization_id: 'acme',
      day: '2026-12-01',
      lines: [
        {
          hour: '10',
          stack: 'etcd',
          instance_seconds: 3 * 3600,
          memory_mb_seconds: 3 * 1800 * (512 + 1024),
          cpu_milli_seconds: 3 * 3600 * 500, // 1.5 CPU-hours × 2,000 = 3,000
          storage_mb_seconds: 3 * 3600 * 1024, // 3 GB-hours × 100 = 300
        },
      ],
      // As the traffic rollup writes it: 2^31 bytes = 2 GB × 90,000 = 180,000.
      traffic: [{ hour: '10', in_bytes: 1_000_000_000, out_bytes: 1_147_483_648, requests: 1200 }],
    });
    await meter({
      schema_version: 1,
      deployment_id: 'd2',
      day: '2026-12-01',
      lines: [{ hour: '11', stack: 'etcd', instance_seconds: 3600, memory_mb_seconds: 3600 * 1024 }],
    });
    const period = 'from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z';
    const json = await h.call('GET', `${USAGE}?${period}`);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      currency: 'EUR',
      total_micros: String(45_750 + 3_300 + 180_000 + 17_000),
      items: [
        {
          deployment_id: 'd1',
          organization_id: 'acme',
          instance_hours: '3.000000',
          memory_gb_hours: '2.250000',
          cpu_hours: '1.500000',
          storage_gb_hours: '3.000000',
          amount_micros: '49050',
        },
        {
          deployment_id: 'd1',
          stack: null,
          traffic_in_bytes: 1_000_000_000,
          traffic_out_bytes: 1_147_483_648,
          requests: 1200,
          transfer_gb: '2.000000',
          amount_micros: '180000',
        },
        {
          deployment_id: 'd2',
          organization_id: null,
          instance_hours: '1.000000',
          memory_gb_hours: '1.000000',
          amount_micros: '17000',
        },
      ],
    });
    const csv = await h.call('GET', `${USAGE}?${period}&organization=acme&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toBe(
      'deployment_id,organization_id,stack,instance_hours,memory_gb_hours,cpu_hours,storage_gb_hours,traffic_in_bytes,traffic_out_bytes,requests,transfer_gb,amount_micros,currency\n' +
        'd1,acme,etcd,3.000000,2.250000,1.500000,3.000000,0,0,0,0.000000,49050,EUR\n' +
        'd1,acme,,0.000000,0.000000,0.000000,0.000000,1000000000,1147483648,1200,2.000000,180000,EUR\n' +
        'total,,,,,,,,,,,229050,EUR\n',
    );

    // An organization's key gets its own usage only, whatever it asks for.
    const key = await h.call('POST', KEYS, {
      description: 'acme',
      roles: ['viewer'],
      organization_id: 'acme',
    });
    const asAcme = { headers: { authorization: `ApiKey ${key.body.key as string}` } };
    const own = await h.call('GET', `${USAGE}?${period}`, undefined, asAcme);
    expect(own.body.items.map((i: { deployment_id: string }) => i.deployment_id)).toEqual(['d1', 'd1']);
    expect((await h.call('GET', `${USAGE}?${period}&organization=globex`, undefined, asAcme)).status).toBe(
      404,
    );
  });

  it('refuses bad queries naming the parameter', async () => {
    const cases: [string, string][] = [
      ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from'],
      ['from=soon&to=2026-12-01T00:00:00Z', 'from'],
      ['from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&format=xml', 'format'],
      ['from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&organization=nosuchorg', 'organization'],
      ['from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&currency=EUR', 'currency'],
    ];
    for (const [query, field] of cases) {
      const res = await h.call('GET', `${USAGE}?${query}`);
      expect({
        query,
        status: res.status < 500 && res.status >= 400,
        field: res.body.error?.details?.[0]?.path,
      }).toEqual({
        query,
        status: true,
        field,
      });
    }
  });
});
