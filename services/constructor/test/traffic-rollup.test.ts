/**
 * The hourly rollup of proxy traffic against a real ZooKeeper, on a manual clock: two proxies'
 * cumulative counts of an hour are summed into each deployment's day document exactly once —
 * not before the hour has settled, not twice when a leader dies half-way and the next one runs
 * the hour again — and a proxy's write after the hour was closed fails.
 */
import { parseDocument, paths, serializeDocument, type TrafficCounts } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { useZooKeeper } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { MeteringLoop } from '../src/metering/metering-loop';

jest.setTimeout(30_000);

const zkf = useZooKeeper();
const MIN = 60_000;
const HOUR = '2026-12-01T10';
const END = Date.parse('2026-12-01T11:00:00.000Z');

async function writeCounts(zk: ZkSession, proxy: string, deployments: TrafficCounts['deployments']) {
  await zk.mkdirp(paths.trafficHour(HOUR));
  const doc: TrafficCounts = {
    schema_version: 1,
    proxy_id: proxy,
    hour: HOUR,
    writer: 'w',
    flush: 1,
    deployments,
  };
  await zk.create(paths.trafficCounts(HOUR, proxy), serializeDocument('traffic-counts', doc));
}

async function traffic(zk: ZkSession, id: string) {
  const node = await zk.get(paths.meteringDay(id, '2026-12-01'));
  return parseDocument('metering-day', node.data.toString()).traffic;
}

test('sums the proxies once per hour across a leader dying mid-rollup', async () => {
  const zk = await zkf.session();
  await writeCounts(zk, 'p1', { r1: [1000, 20_000, 10], r2: [5, 50, 1] });
  await writeCounts(zk, 'p2', { r1: [24, 480, 2] });
  let now = END + 2 * MIN; // not settled yet (3 minutes)
  const loop = (afterTrafficDeployment?: (id: string) => void) =>
    new MeteringLoop({
      zk,
      logger: createTestLogger(),
      clock: { now: () => now },
      tickMs: MIN,
      afterTrafficDeployment,
    });

  await loop().rollUpTraffic(now);
  expect(await zk.exists(paths.meteringDay('r1', '2026-12-01'))).toBeNull();

  // The first leader closes the hour, writes r1 and dies before r2.
  now = END + 3 * MIN;
  const dying = loop((id) => {
    if (id === 'r1') throw new Error('leader died');
  });
  await expect(dying.rollUpTraffic(now)).rejects.toThrow('leader died');
  expect(await traffic(zk, 'r1')).toEqual([{ hour: '10', in_bytes: 1024, out_bytes: 20_480, requests: 12 }]);
  expect(await zk.exists(paths.meteringDay('r2', '2026-12-01'))).toBeNull();

  // A proxy's late write is refused: the hour node is no longer at version 0.
  const late = await zk.get(paths.trafficCounts(HOUR, 'p2'));
  await expect(
    zk
      .transaction()
      .check(paths.trafficHour(HOUR), 0)
      .set(paths.trafficCounts(HOUR, 'p2'), late.data, -1)
      .commit(),
  ).rejects.toThrow();

  // The next leader runs the hour again: r1 unchanged (set, not added), r2 written, counts gone.
  await loop().rollUpTraffic(now);
  await loop().rollUpTraffic(now + MIN);
  expect(await traffic(zk, 'r1')).toEqual([{ hour: '10', in_bytes: 1024, out_bytes: 20_480, requests: 12 }]);
  expect(await traffic(zk, 'r2')).toEqual([{ hour: '10', in_bytes: 5, out_bytes: 50, requests: 1 }]);
  expect(await zk.children(paths.trafficHour(HOUR))).toEqual([]);
  const hourNode = parseDocument('traffic-hour', (await zk.get(paths.trafficHour(HOUR))).data.toString());
  expect(hourNode.state).toBe('rolled');
  // The rollup created r2's cursor idle, so instance metering starts afresh for it.
  const cursor = parseDocument('metering-cursor', (await zk.get(paths.meteringCursor('r2'))).data.toString());
  expect(cursor.idle).toBe(true);
});
