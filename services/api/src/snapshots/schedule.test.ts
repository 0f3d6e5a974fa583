import { type PlanDocument } from '@wharf/model';
import {
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  DEFAULT_SNAPSHOT_RETENTION,
  intervalMs,
  isDue,
  policyOf,
  slotOf,
  toPrune,
} from './schedule';

function plan(settings?: unknown, extra: Partial<PlanDocument> = {}): PlanDocument {
  const resource = {
    ref_id: 'main',
    ...(settings === undefined ? {} : { settings }),
    plan: {
      cluster_topology: [
        {
          id: 'default',
          instance_configuration_id: 'etcd.default',
          size: { resource: 'memory', value: 256 },
          zone_count: 1,
        },
      ],
      etcd: { version: '3.4' },
    },
  };
  return {
    schema_version: 1,
    plan_id: 'p',
    deployment_id: 'd1',
    created: '2026-01-01T00:00:00.000Z',
    source: { action: 'update' },
    resources: { etcd: [resource] },
    ...extra,
  } as PlanDocument;
}

const claim = (slot: number, interval = 60_000) => ({
  schema_version: 1 as const,
  slot,
  interval_ms: interval,
  claimed_by: 'api-1',
  at: '2026-01-01T00:00:00.000Z',
});

describe('snapshot schedule', () => {
  it('parses minutes and hours', () => {
    expect(intervalMs('30m')).toBe(30 * 60_000);
    expect(intervalMs('2h')).toBe(2 * 3_600_000);
    expect(() => intervalMs('10s')).toThrow();
  });

  it('takes the policy from settings.snapshot, with defaults, the override, and none when off or shut down', () => {
    expect(policyOf(plan({ snapshot: {} }))).toEqual({
      intervalMs: DEFAULT_SNAPSHOT_INTERVAL_MS,
      retention: DEFAULT_SNAPSHOT_RETENTION,
    });
    expect(policyOf(plan({ snapshot: { interval: '5m', retention: { snapshots: 3 } } }))).toEqual({
      intervalMs: 300_000,
      retention: 3,
    });
    expect(policyOf(plan({ snapshot: { interval: '5m' } }), 1500)?.intervalMs).toBe(1500);
    expect(policyOf(plan())).toBeUndefined();
    expect(policyOf(plan({ snapshot: { enabled: false } }))).toBeUndefined();
    expect(policyOf(plan({ snapshot: {} }, { stopped: { all: true } }))).toBeUndefined();
    expect(policyOf(plan({ snapshot: {} }, { resources: {}, shutdown: true }))).toBeUndefined();
    expect(policyOf(undefined)).toBeUndefined();
  });

  it('is due once per slot, and again when the interval changed', () => {
    expect(slotOf(119_999, 60_000)).toBe(1);
    expect(isDue(undefined, 5, 60_000)).toBe(true);
    expect(isDue(claim(4), 5, 60_000)).toBe(true);
    expect(isDue(claim(5), 5, 60_000)).toBe(false);
    expect(isDue(claim(9, 1000), 5, 60_000)).toBe(true);
  });

  it('prunes only scheduled snapshots beyond retention (records newest first)', () => {
    const records = [
      { id: 's5', trigger: 'schedule' },
      { id: 'm1' },
      { id: 's4', trigger: 'schedule' },
      { id: 's3', trigger: 'schedule' },
      { id: 's2', trigger: 'schedule' },
    ];
    expect(toPrune(records, 2)).toEqual(['s3', 's2']);
    expect(toPrune(records, 10)).toEqual([]);
  });

  it('prunes before-change snapshots by their own count, never the newest or one a restore uses', () => {
    const records = [
      { id: 'b4', trigger: 'before-change' },
      { id: 's2', trigger: 'schedule' },
      { id: 'b3', trigger: 'before-change' },
      { id: 'm1' },
      { id: 'b2', trigger: 'before-change' },
      { id: 's1', trigger: 'schedule' },
      { id: 'b1', trigger: 'before-change' },
    ];
    expect(toPrune(records, 1)).toEqual(['s1', 'b3', 'b2', 'b1']);
    expect(toPrune(records, 1, new Set(['b2']))).toEqual(['s1', 'b3', 'b1']);
    expect(toPrune(records, 3)).toEqual(['b1']);
    // The newest of all is kept even past retention (records[0]).
    expect(toPrune(records, 0)).toEqual(['s2', 's1', 'b3', 'b2', 'b1']);
  });
});
