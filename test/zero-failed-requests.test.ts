/**
 * Acceptance of drain and migrate-data: a steady stream of reads and writes (≥ 10,000) through
 * both proxies while a 3-member etcd deployment grows to 5, shrinks back to 3 and changes size
 * (every member replaced). Failed requests: 0, and every write acknowledged is readable at the
 * end. Real ZooKeeper, real etcd processes, real proxies, started by `wharf up`.
 * Per-change figures are printed (`zero-failed-requests figures`).
 */
import { startMixedLoad, type Tally } from './helpers/mixed-load';
import { startPlatform, type Platform } from './helpers/platform';
import { etcdPlan, eventually, etcdPutViaProxy, waitForPlan } from './helpers/plans';
import { readPrefix } from './chaos/chaos-kit';

jest.setTimeout(300_000);

/** The acceptance floor of the issue. */
const MIN_REQUESTS = 10_000;
/** Longest the load runs past the last change to reach {@link MIN_REQUESTS}. */
const TOP_UP_MS = 90_000;
const PREFIX = 'zf/';

/** The changes, in order: label, zone_count, memory MB. */
const CHANGES: readonly [string, number, number][] = [
  ['grow 3 → 5', 5, 256],
  ['shrink 5 → 3', 3, 256],
  ['size 256 → 320 MB (all members replaced)', 3, 320],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const minus = (a: Tally, b: Tally): Tally => ({
  total: a.total - b.total,
  reads: a.reads - b.reads,
  writes: a.writes - b.writes,
  failed: a.failed - b.failed,
});

describe('plan changes under load', () => {
  let platform: Platform;
  let id: string;

  beforeAll(async () => {
    platform = await startPlatform();
    const created = await platform.api('POST', '/deployments', etcdPlan('zero', 3));
    expect(created.status).toBe(201);
    id = created.body.id;
    expect((await waitForPlan(platform, id)).status).toBe('success');
    await eventually(() => etcdPutViaProxy(platform, id, 'ready', 'yes'), 15_000, 'a first put');
  }, 180_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('fails no request while growing, shrinking and resizing, and keeps every acknowledged write', async () => {
    const load = startMixedLoad(platform, id, PREFIX);
    const figures: Record<string, unknown>[] = [];
    const attempts: any[] = [];
    await sleep(2_000);
    for (const [label, zones, memoryMb] of CHANGES) {
      const before = load.snapshot();
      const started = Date.now();
      const res = await platform.api('PUT', `/deployments/${id}`, etcdPlan('zero', zones, memoryMb));
      expect(res.status).toBe(202);
      const attempt = await waitForPlan(platform, id, 150_000);
      attempts.push(attempt);
      figures.push({
        change: label,
        seconds: (Date.now() - started) / 1000,
        ...minus(load.snapshot(), before),
      });
      expect(attempt.status).toBe('success');
    }
    const topUpUntil = Date.now() + TOP_UP_MS;
    while (load.snapshot().total < MIN_REQUESTS && Date.now() < topUpUntil) await sleep(250);
    const result = await load.stop();
    console.log(`zero-failed-requests figures ${JSON.stringify({ total: result, changes: figures })}`);

    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.total).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(result.reads).toBeGreaterThan(0);

    const stored = await readPrefix(platform, id, PREFIX);
    const lost = [...result.acked].filter(([k, v]) => stored.get(k) !== v).map(([k]) => k);
    expect(lost).toEqual([]);

    // The mechanisms under test did run: joined members caught up, leaving members drained.
    const messages = (a: any, step: string) =>
      (a.plan_attempt_log.find((s: any) => s.step_id === step)?.info_log ?? []).map((l: any) => l.message);
    expect(messages(attempts[0], 'migrate-data')).toContain('member caught up');
    expect(messages(attempts[1], 'update-routing')).toContain('instances drained');
    expect(messages(attempts[2], 'migrate-data')).toContain('member caught up');
    expect(messages(attempts[2], 'update-routing')).toContain('instances drained');
    // Every old member leaves in a size change, the leader too: the route paused around its leave.
    expect(messages(attempts[2], 'leave-cluster')).toContain('route resumed');
  });
});
