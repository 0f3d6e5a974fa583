import { type MeteringDay, type Pricing } from '@wharf/model';
import { daysOf, hoursOf, parsePricing, parseUsageQuery, priceUsage, usageCsv } from './billing';

const pricing: Pricing = {
  schema_version: 1,
  currency: 'EUR',
  instance_hour_micros: 10_000, // 0.01 per instance-hour
  memory_gb_hour_micros: 7_000, // 0.007 per GB-hour
  stacks: { http: { memory_gb_hour_micros: 1_000 } },
  updated: '2026-12-01T00:00:00.000Z',
};

// d1 (acme): 10:00-10:29 three × 512 MB, 10:30-10:59 three × 1024 MB (resized mid-hour), and
// an hour outside the period; d2: one http instance of 256 MB for 90 minutes.
const docs: MeteringDay[] = [
  {
    schema_version: 1,
    deployment_id: 'd1',
    organization_id: 'acme',
    day: '2026-12-01',
    lines: [
      { hour: '10', stack: 'etcd', instance_seconds: 3 * 3600, memory_mb_seconds: 3 * 1800 * (512 + 1024) },
      { hour: '12', stack: 'etcd', instance_seconds: 3 * 3600, memory_mb_seconds: 3 * 3600 * 1024 },
    ],
  },
  {
    schema_version: 1,
    deployment_id: 'd2',
    day: '2026-12-01',
    lines: [
      { hour: '10', stack: 'http', instance_seconds: 3600, memory_mb_seconds: 3600 * 256 },
      { hour: '11', stack: 'http', instance_seconds: 1800, memory_mb_seconds: 1800 * 256 },
    ],
  },
];

describe('billing', () => {
  it('prices the period exactly and renders the hand-computed CSV', () => {
    const priced = priceUsage(
      docs,
      pricing,
      Date.parse('2026-12-01T10:00:00Z'),
      Date.parse('2026-12-01T12:00:00Z'),
    );
    // d1: 3 instance-hours × 10,000 = 30,000; memory 3 × 0.5 h × (0.5 + 1) GB = 2.25 GB-h × 7,000 = 15,750.
    // d2: 1.5 instance-hours × 10,000 = 15,000; 1.5 h × 0.25 GB = 0.375 GB-h × 1,000 = 375.
    expect(usageCsv(priced)).toBe(
      [
        'deployment_id,organization_id,stack,instance_hours,memory_gb_hours,cpu_hours,storage_gb_hours,traffic_in_bytes,traffic_out_bytes,requests,transfer_gb,amount_micros,currency',
        'd1,acme,etcd,3.000000,2.250000,0.000000,0.000000,0,0,0,0.000000,45750,EUR',
        'd2,,http,1.500000,0.375000,0.000000,0.000000,0,0,0,0.000000,15375,EUR',
        'total,,,,,,,,,,,61125,EUR',
        '',
      ].join('\n'),
    );
  });

  it('prices CPU-hours and storage GB-hours, one rounding over the exact sum', () => {
    const withAll = parsePricing(
      {
        currency: 'EUR',
        instance_hour_micros: 10_000,
        memory_gb_hour_micros: 7_000,
        cpu_hour_micros: 20_000,
        storage_gb_hour_micros: 100,
      },
      0,
    );
    const doc: MeteringDay = {
      schema_version: 1,
      deployment_id: 'd4',
      day: '2026-12-01',
      lines: [
        {
          hour: '10',
          stack: 'etcd',
          instance_seconds: 3600,
          memory_mb_seconds: 3600 * 1024,
          cpu_milli_seconds: 3600 * 500, // half a core for an hour
          storage_mb_seconds: 3600 * 300, // 300 MB for an hour = 0.29296875 GB-h
        },
      ],
    };
    // 10,000 + 7,000 + 0.5 × 20,000 + 0.29296875 × 100 = 27,029.296875 → 27,029.
    const priced = priceUsage([doc], withAll, 0, Date.parse('2027-01-01'));
    expect(usageCsv(priced).split('\n')[1]).toBe(
      'd4,,etcd,1.000000,1.000000,0.500000,0.292969,0,0,0,0.000000,27029,EUR',
    );
    expect(priced.items[0]).toMatchObject({ cpu_milli_seconds: 1_800_000, storage_mb_seconds: 1_080_000 });
  });

  it('rounds half up once per line, with integers only', () => {
    expect(hoursOf(1n)).toBe('0.000278');
    expect(hoursOf(3600n * 1024n, 1024n)).toBe('1.000000');
    const one: MeteringDay = {
      schema_version: 1,
      deployment_id: 'd3',
      day: '2026-12-01',
      lines: [{ hour: '10', stack: 'etcd', instance_seconds: 1, memory_mb_seconds: 0 }],
    };
    // 1 s × 10,000 / 3600 = 2.78 → 3.
    expect(priceUsage([one], pricing, 0, Date.parse('2027-01-01')).items[0]!.amount_micros).toBe('3');
  });

  it('prices proxy traffic per GB in and out on its own line per deployment', () => {
    const doc: MeteringDay = {
      schema_version: 1,
      deployment_id: 'd5',
      day: '2026-12-01',
      lines: [{ hour: '10', stack: 'etcd', instance_seconds: 3600, memory_mb_seconds: 0 }],
      traffic: [
        { hour: '09', in_bytes: 7, out_bytes: 7, requests: 7 }, // before the period
        { hour: '10', in_bytes: 1_000_000_000, out_bytes: 1_147_483_648, requests: 1200 },
        { hour: '11', in_bytes: 500_000_000, out_bytes: 573_741_824, requests: 300 },
      ],
    };
    const withTransfer = { ...pricing, transfer_gb_micros: 90_000 };
    const priced = priceUsage(
      [doc],
      withTransfer,
      Date.parse('2026-12-01T10:00:00Z'),
      Date.parse('2027-01-01'),
    );
    // 2^31 + 2^30 bytes = 3 GB × 90,000 = 270,000; the etcd line: 1 instance-hour × 10,000.
    expect(usageCsv(priced).split('\n').slice(1, 4)).toEqual([
      'd5,,etcd,1.000000,0.000000,0.000000,0.000000,0,0,0,0.000000,10000,EUR',
      'd5,,,0.000000,0.000000,0.000000,0.000000,1500000000,1721225472,1500,3.000000,270000,EUR',
      'total,,,,,,,,,,,280000,EUR',
    ]);
    expect(priced.items[1]).toMatchObject({ stack: null, requests: 1500, transfer_gb: '3.000000' });
    // One rounding per line: 5,965 B × 90,000 / 2^30 = 0.49998 → 0; 5,966 B → 0.50006 → 1.
    const bytes = (n: number): MeteringDay => ({
      ...doc,
      lines: [],
      traffic: [{ hour: '10', in_bytes: n, out_bytes: 0, requests: 1 }],
    });
    const amount = (n: number) =>
      priceUsage([bytes(n)], withTransfer, 0, Date.parse('2027-01-01')).total_micros;
    expect([amount(5965), amount(5966)]).toEqual(['0', '1']);
  });

  it('refuses bad prices and queries naming the field', () => {
    const paths = (f: () => unknown) => {
      try {
        f();
        return [];
      } catch (err) {
        return (err as { details: { path: string }[] }).details.map((d) => d.path);
      }
    };
    expect(paths(() => parsePricing({ currency: 'EUR', memory_gb_hour_micros: -1 }, 0))).toEqual([
      'memory_gb_hour_micros',
    ]);
    expect(
      paths(() => parsePricing({ currency: 'euro', stacks: { etcd: { instance_hour_micros: 1.5 } } }, 0)),
    ).toEqual(['currency', 'stacks.etcd.instance_hour_micros']);
    expect(
      paths(() =>
        parsePricing(
          { currency: 'EUR', cpu_hour_micros: -5, storage_gb_hour_micros: 0.5, transfer_gb_micros: -1 },
          0,
        ),
      ),
    ).toEqual(['cpu_hour_micros', 'storage_gb_hour_micros', 'transfer_gb_micros']);
    expect(paths(() => parseUsageQuery({ from: '2026-12-02', to: '2026-12-01' }))).toEqual(['from']);
    expect(paths(() => parseUsageQuery({ from: 'yesterday', to: '2026-12-01', format: 'xml' }))).toEqual([
      'from',
      'format',
    ]);
    expect(
      paths(() => parseUsageQuery({ from: '2026-12-01', to: '2026-12-02', organization: 'Not Valid' })),
    ).toEqual(['organization']);
    expect(daysOf(Date.parse('2026-12-01T10:00:00Z'), Date.parse('2026-12-03T00:00:00Z'))).toEqual([
      '2026-12-01',
      '2026-12-02',
    ]);
  });
});
