import { addUsage, cpuShare, instanceCpuMillis, tickSlot, ticksToCount, type MeteringDay } from './metering';

const MIN = 60_000;
const T = Date.parse('2026-12-01T10:00:00.000Z') / MIN; // tick at 10:00, one-minute ticks

describe('metering', () => {
  it('counts each complete tick once, bounded backfill, no backfill after idle', () => {
    expect(ticksToCount(undefined, T, 10)).toEqual([T - 1]);
    expect(ticksToCount({ through_tick: T - 4, idle: false }, T, 10)).toEqual([T - 3, T - 2, T - 1]);
    expect(ticksToCount({ through_tick: T - 1, idle: false }, T, 10)).toEqual([]);
    expect(ticksToCount({ through_tick: T - 100, idle: false }, T, 5)).toEqual([
      T - 5,
      T - 4,
      T - 3,
      T - 2,
      T - 1,
    ]);
    expect(ticksToCount({ through_tick: T - 100, idle: true }, T, 5)).toEqual([T - 1]);
  });

  it('bills a deployment resized mid-hour for exactly the sizes it ran, per minute', () => {
    const base = { deployment_id: 'd1', organization_id: 'acme' };
    // 10:00-10:29 three members of 512 MB; 10:30-10:59 three of 1024 MB.
    const small = [0, 1, 2].map(() => ({ stack: 'etcd', memory_mb: 512 }));
    const big = [0, 1, 2].map(() => ({ stack: 'etcd', memory_mb: 1024 }));
    const first = Array.from({ length: 30 }, (_, i) => T + i);
    const second = Array.from({ length: 30 }, (_, i) => T + 30 + i);
    let days = addUsage(new Map(), base, first, MIN, small);
    days = addUsage(days, base, second, MIN, big);
    const doc = days.get('2026-12-01') as MeteringDay;
    expect(doc.lines).toEqual([
      {
        hour: '10',
        stack: 'etcd',
        instance_seconds: 3 * 60 * 60,
        memory_mb_seconds: 3 * 30 * 60 * (512 + 1024),
      },
    ]);
    expect(doc.organization_id).toBe('acme');
    expect(tickSlot(T + 60, MIN)).toEqual({ day: '2026-12-01', hour: '11' });
  });

  it('adds CPU milli-core-seconds and storage MB-seconds of the instances that report them', () => {
    const base = { deployment_id: 'd1' };
    // An allocator of 4096 MB and 4 CPUs: 1024 MB gets a quarter of it, 1000 milli-cores.
    const cpu = instanceCpuMillis(1024, { memory_mb: 4096, cpus: 4 });
    expect(cpu).toBe(1000);
    expect(instanceCpuMillis(8192, { memory_mb: 4096, cpus: 4 })).toBe(4000);
    expect(cpuShare(512, 4096)).toBe(0.125);
    const days = addUsage(new Map(), base, [T, T + 1], MIN, [
      { stack: 'etcd', memory_mb: 1024, cpu_millis: cpu, storage_mb: 300 },
      { stack: 'etcd', memory_mb: 1024 }, // not measured yet: neither CPU nor storage known
    ]);
    expect(days.get('2026-12-01')!.lines).toEqual([
      {
        hour: '10',
        stack: 'etcd',
        instance_seconds: 2 * 2 * 60,
        memory_mb_seconds: 2 * 2 * 60 * 1024,
        cpu_milli_seconds: 2 * 60 * 1000,
        storage_mb_seconds: 2 * 60 * 300,
      },
    ]);
  });
});
