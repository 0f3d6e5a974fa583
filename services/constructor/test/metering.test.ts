/**
 * Metering against a real ZooKeeper, on a manual clock with one-minute ticks: running instances
 * (spec placed and status `running`) are counted per tick into `/metering/<d>/<day>`; a leader that
 * dies half-way through a round (after one deployment's transaction) neither double-counts nor
 * skips anything once the next leader has run; a resize mid-hour is counted at the sizes that ran;
 * CPU is counted at the share each allocator gives an instance and storage at the data size its
 * status reports, tick by tick.
 */
import {
  parseDocument,
  paths,
  serializeDocument,
  type InstanceSpec,
  type InstanceStatus,
} from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { useZooKeeper } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { MeteringLoop } from '../src/metering/metering-loop';
import { allocatorAd, specDoc, statusDoc } from './fixtures';

jest.setTimeout(30_000);

const zkf = useZooKeeper();
const MIN = 60_000;
const T = Date.parse('2026-12-01T10:00:00.000Z');

async function place(zk: ZkSession, spec: InstanceSpec, status: Partial<InstanceStatus> = {}): Promise<void> {
  await zk.mkdirp(paths.allocatorInstances(spec.allocator_id));
  await zk.mkdirp(paths.allocatorStatuses(spec.allocator_id));
  const specPath = paths.instanceSpec(spec.allocator_id, spec.instance_id);
  if ((await zk.exists(specPath)) === null)
    await zk.create(specPath, serializeDocument('instance-spec', spec));
  else await zk.set(specPath, serializeDocument('instance-spec', spec), -1);
  const statusPath = paths.instanceStatus(spec.allocator_id, spec.instance_id);
  if ((await zk.exists(statusPath)) === null)
    await zk.create(statusPath, serializeDocument('instance-status', statusDoc(spec, status)));
}

async function day(zk: ZkSession, id: string) {
  return parseDocument('metering-day', (await zk.get(paths.meteringDay(id, '2026-12-01'))).data.toString());
}

test('counts every tick exactly once across a leader dying mid-round, at the sizes that ran', async () => {
  const zk = await zkf.session();
  for (const d of ['d1', 'd2'])
    for (const i of [0, 1]) await place(zk, specDoc(d, i, `a${i}`, `zone-${i}`, { memory_mb: 512 }));
  let now = T + 5 * MIN + 1; // ticks 10:00-10:04 are complete
  const loop = (afterDeployment?: (id: string) => void) =>
    new MeteringLoop({
      zk,
      logger: createTestLogger(),
      clock: { now: () => now },
      tickMs: MIN,
      afterDeployment,
    });

  // The first leader counts one tick (no cursor yet: it does not guess the past).
  await loop().runRound();
  expect((await day(zk, 'd1')).lines).toEqual([
    { hour: '10', stack: 'etcd', instance_seconds: 120, memory_mb_seconds: 120 * 512 },
  ]);

  // Five minutes later a leader dies right after d1's transaction: d2 is not counted yet.
  now += 5 * MIN;
  const dying = loop((id) => {
    if (id === 'd1') throw new Error('leader died');
  });
  await expect(dying.runRound()).rejects.toThrow('leader died');
  expect((await day(zk, 'd1')).lines[0]!.instance_seconds).toBe(120 * 6);
  expect((await day(zk, 'd2')).lines[0]!.instance_seconds).toBe(120);

  // d1 is resized to 1024 MB; the next leader runs twice at the same instant, then a minute later.
  for (const i of [0, 1]) await place(zk, specDoc('d1', i, `a${i}`, `zone-${i}`, { memory_mb: 1024 }));
  const next = loop();
  await next.runRound();
  await next.runRound();
  expect((await day(zk, 'd1')).lines[0]).toEqual({
    hour: '10',
    stack: 'etcd',
    instance_seconds: 120 * 6,
    memory_mb_seconds: 120 * 6 * 512,
  });
  expect((await day(zk, 'd2')).lines[0]!.instance_seconds).toBe(120 * 6); // caught up, nothing skipped
  now += MIN;
  await next.runRound();
  expect((await day(zk, 'd1')).lines[0]).toEqual({
    hour: '10',
    stack: 'etcd',
    instance_seconds: 120 * 7,
    memory_mb_seconds: 120 * 6 * 512 + 120 * 1024,
  });
  const cursor = parseDocument('metering-cursor', (await zk.get(paths.meteringCursor('d2'))).data.toString());
  expect(cursor).toMatchObject({ through_tick: (T + 10 * MIN) / MIN, idle: false });

  // Nothing runs any more: the cursor goes idle once and nothing more is counted.
  await zk.deleteRecursive(paths.allocators());
  now += 3 * MIN;
  await next.runRound();
  await next.runRound();
  expect((await day(zk, 'd1')).lines[0]!.instance_seconds).toBe(120 * 7);
  expect(
    parseDocument('metering-cursor', (await zk.get(paths.meteringCursor('d1'))).data.toString()).idle,
  ).toBe(true);
});

test('counts CPU at the share each allocator gives and storage at the data size each status reports', async () => {
  const zk = await zkf.session();
  // a0: 4096 MB and 2 CPUs, so 1024 MB gets 500 milli-cores; a1: 2048 MB and 4 CPUs, 2000.
  await zk.mkdirp(paths.allocators());
  await zk.create(
    paths.allocator('a0'),
    serializeDocument('allocator-advertisement', allocatorAd('a0', 'z0')),
  );
  await zk.create(
    paths.allocator('a1'),
    serializeDocument('allocator-advertisement', {
      ...allocatorAd('a1', 'z1', 2048),
      capacity: { memory_mb: 2048, cpus: 4 },
    }),
  );
  const s0 = specDoc('d3', 0, 'a0', 'z0', { memory_mb: 1024 });
  await place(zk, s0, { data_mb: 100 });
  await place(zk, specDoc('d3', 1, 'a1', 'z1', { memory_mb: 1024 }), { data_mb: 200 });
  let now = T + 60 * MIN + 1; // 11:00, tick 10:59 complete
  const loop = new MeteringLoop({ zk, logger: createTestLogger(), clock: { now: () => now }, tickMs: MIN });
  await loop.runRound();
  expect((await day(zk, 'd3')).lines).toEqual([
    {
      hour: '10',
      stack: 'etcd',
      instance_seconds: 120,
      memory_mb_seconds: 120 * 1024,
      cpu_milli_seconds: 60 * (500 + 2000),
      storage_mb_seconds: 60 * (100 + 200),
    },
  ]);
  // The data grows to 150 MB; two more ticks are counted at the new size.
  await zk.set(
    paths.instanceStatus('a0', s0.instance_id),
    serializeDocument('instance-status', statusDoc(s0, { data_mb: 150 })),
    -1,
  );
  now += 2 * MIN;
  await loop.runRound();
  expect((await day(zk, 'd3')).lines[1]).toEqual({
    hour: '11',
    stack: 'etcd',
    instance_seconds: 240,
    memory_mb_seconds: 240 * 1024,
    cpu_milli_seconds: 120 * (500 + 2000),
    storage_mb_seconds: 120 * (150 + 200),
  });
});

test('the leader deletes day documents past retention, hourly, and the idle cursor once none is left', async () => {
  const zk = await zkf.session();
  await place(zk, specDoc('d5', 0, 'a0', 'z0', { memory_mb: 512 }));
  let now = T + MIN + 1;
  const loop = () =>
    new MeteringLoop({
      zk,
      logger: createTestLogger(),
      clock: { now: () => now },
      tickMs: MIN,
      retentionDays: 2,
    });
  const first = loop();
  await first.runRound(); // counts 2026-12-01 10:00
  const days = async () => (await zk.children(paths.meteringCursor('d5'))).sort();
  expect(await days()).toEqual(['2026-12-01']);

  // Late on 2026-12-03 the first day is still within retention (2026-12-01 is the first kept).
  now = Date.parse('2026-12-03T23:40:00.001Z');
  const second = loop();
  await second.runRound();
  expect(await days()).toEqual(['2026-12-01', '2026-12-03']);

  // After midnight 2026-12-01 is past retention, but this leader pruned 30 minutes ago: hourly.
  await zk.deleteRecursive(paths.allocators()); // nothing runs any more
  now = Date.parse('2026-12-04T00:10:00.001Z');
  await second.runRound();
  expect(await days()).toEqual(['2026-12-01', '2026-12-03']);
  now += 30 * MIN;
  await second.runRound();
  expect(await days()).toEqual(['2026-12-03']);

  // Once every day is past retention and the cursor is idle, the deployment leaves nothing.
  now = Date.parse('2026-12-07T00:00:00.001Z');
  await loop().runRound();
  expect(await zk.exists(paths.meteringCursor('d5'))).toBeNull();
});
