/**
 * End to end: `_restore` in place on the single-host platform (`wharf up --detach`, every service
 * its own process, real etcd members). Key A is written, a snapshot taken, key B written; the
 * CLI's `deployment restore <id> --snapshot <s> --track` runs a plan whose activity log shows the
 * `restore-snapshot` step and the age of the data; afterwards A is back and B is gone. A missing
 * or damaged snapshot is refused with a coded 4xx naming `snapshot`, and no plan is written.
 * Meanwhile a reader through the proxy sees the old data, then `503 WHARF_DEPLOYMENT_RESTORING`
 * (the route is closed before the first delete), then the snapshot's data — never a partial store.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlatform, type Platform } from './helpers/platform';
import { paths } from '@wharf/model';
import { sleep, withZk } from './chaos/chaos-kit';
import { b64, etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);
/** Keys written before and overwritten after the snapshot (one etcd transaction takes ≤ 128). */
const BULK = 100;

describe('snapshots of a 3-member etcd deployment', () => {
  let platform: Platform;
  let id: string;

  const succeeded = async () => {
    const attempt = await waitForPlan(platform, id);
    expect(attempt.status).toBe('success');
    return attempt;
  };
  const pendingPlan = async () => (await platform.api('GET', `/deployments/${id}/plan`)).body.pending;

  /** Writes BULK keys `bulk/<i>` = `value` in one transaction. */
  const putBulk = async (value: string) => {
    const success = Array.from({ length: BULK }, (_, i) => ({
      requestPut: { key: b64(`bulk/${i}`), value: b64(value) },
    }));
    const res = await platform.proxy(id, 'POST', '/v3/kv/txn', JSON.stringify({ success }));
    expect(res.status).toBe(200);
  };
  /**
   * Reads the `bulk/` range through the proxy until stopped; each answer is classified as
   * `200 <value>` (all BULK keys, one value), `200 partial`, or `<status> <code>`.
   */
  const pollBulk = () => {
    const counts: Record<string, number> = {};
    const order: string[] = [];
    let running = true;
    const range = JSON.stringify({ key: b64('bulk/'), range_end: b64('bulk0') });
    const loop = (async () => {
      while (running) {
        const res = await platform.proxy(id, 'POST', '/v3/kv/range', range);
        let kind: string;
        if (res.status === 200) {
          const kvs = (JSON.parse(res.body).kvs ?? []) as { value: string }[];
          const values = new Set(kvs.map((kv) => Buffer.from(kv.value, 'base64').toString()));
          kind = kvs.length === BULK && values.size === 1 ? `200 ${[...values][0]}` : '200 partial';
        } else kind = `${res.status} ${JSON.parse(res.body).error?.code}`;
        counts[kind] = (counts[kind] ?? 0) + 1;
        if (order.at(-1) !== kind) order.push(kind);
        await sleep(20);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return { counts, order };
      },
    };
  };

  beforeAll(async () => {
    platform = await startPlatform();
    const created = await platform.api('POST', '/deployments', etcdPlan('snapshots', 3));
    expect(created.status).toBe(201);
    id = created.body.id;
    await succeeded();
    await eventually(() => etcdPutViaProxy(platform, id, 'key-a', 'before-snapshot'), 15_000, 'a first put');
  }, 150_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('restores in place with the CLI: A (before the snapshot) back, B (after it) gone; clients get 503 meanwhile', async () => {
    await putBulk('before');
    const taken = await platform.api('POST', `/deployments/${id}/snapshots`);
    expect(taken.status).toBe(201);
    const snapshot = taken.body.id as string;
    await etcdPutViaProxy(platform, id, 'key-b', 'after-snapshot');
    await etcdPutViaProxy(platform, id, 'key-a', 'overwritten');
    await putBulk('after');
    expect((await etcdGetViaProxy(platform, id, 'key-b')).value).toBe('after-snapshot');

    const reads = pollBulk();
    const t0 = Date.now();
    const restored = await platform.cli(['deployment', 'restore', id, '--snapshot', snapshot, '--track']);
    const seen = await reads.stop();
    expect(restored.code).toBe(0);
    process.stdout.write(
      `RESTORE in place: ${((Date.now() - t0) / 1000).toFixed(1)} s; reads through the proxy meanwhile: ` +
        `${JSON.stringify(seen.counts)}\n`,
    );
    // Closed before the first delete, reopened once every member is healthy on the restored data:
    // a client sees the old data, a coded 503, then the snapshot's data — never a partial store.
    expect(seen.counts['503 WHARF_DEPLOYMENT_RESTORING']).toBeGreaterThan(0);
    expect(Object.keys(seen.counts).sort()).toEqual(
      ['200 after', '200 before', '503 WHARF_DEPLOYMENT_RESTORING'].filter((k) => seen.counts[k]),
    );
    expect(seen.order.indexOf('200 after')).toBeLessThan(
      seen.order.indexOf('503 WHARF_DEPLOYMENT_RESTORING'),
    );
    expect(seen.order.at(-1)).toBe('200 before');
    const route = (await withZk(platform, (zk) => zk.getJson<any>(paths.route(id)))).value;
    expect(route.restoring).toBeUndefined();
    expect(route.instances.filter((i: { healthy: boolean }) => i.healthy)).toHaveLength(3);
    const attempt = await succeeded();
    expect(attempt.plan_attempt_log.map((s: any) => s.step_id)).toEqual([
      'validate-plan-safety',
      'restore-snapshot',
      'plan-completed',
    ]);
    const step = attempt.plan_attempt_log.find((s: any) => s.step_id === 'restore-snapshot');
    const log = JSON.stringify(step.info_log);
    expect(log).toContain(snapshot);
    expect(log).toContain('data_age_seconds');

    expect((await etcdGetViaProxy(platform, id, 'key-a')).value).toBe('before-snapshot');
    expect((await etcdGetViaProxy(platform, id, 'key-b')).value).toBeUndefined();
    // Applied once: the current plan does not carry the restore into later plans.
    const plan = (await platform.api('GET', `/deployments/${id}/plan`)).body;
    expect(plan.current.restore).toBeUndefined();
  });

  it('refuses a missing or damaged snapshot, naming `snapshot`, writing no plan', async () => {
    const missing = await platform.api('POST', `/deployments/${id}/_restore`, {
      snapshot: 'no-such-snapshot',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.details[0].path).toBe('snapshot');
    const bad = await platform.api('POST', `/deployments/${id}/_restore`, { snapshot: 'Not An Id' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('snapshot');

    const taken = await platform.api('POST', `/deployments/${id}/snapshots`);
    expect(taken.status).toBe(201);
    const name = `${taken.body.id}.db`;
    const found = (await readdir(platform.home, { recursive: true })).find((f) => f.endsWith(name));
    const file = join(platform.home, found!);
    const good = await readFile(file);
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    await writeFile(file, flipped);
    const corrupt = await platform.api('POST', `/deployments/${id}/_restore`, { snapshot: taken.body.id });
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.error).toMatchObject({
      code: 'WHARF_SNAPSHOT_CORRUPT',
      details: [{ path: 'snapshot' }],
    });
    expect(await pendingPlan()).toBeNull();
    expect((await etcdGetViaProxy(platform, id, 'key-a')).value).toBe('before-snapshot');
  });

  it('a shrink snapshots the data before any member leaves; the snapshot is listed and restorable', async () => {
    const before = (await platform.api('GET', `/deployments/${id}/snapshots`)).body.snapshots.length;
    const res = await platform.api('PUT', `/deployments/${id}`, etcdPlan('snapshots', 1));
    expect(res.status).toBe(202);
    const attempt = await succeeded();
    const steps = attempt.plan_attempt_log.map((s: any) => s.step_id) as string[];
    expect(steps[1]).toBe('snapshot-before-change');
    expect(steps.indexOf('snapshot-before-change')).toBeLessThan(steps.indexOf('leave-cluster'));
    expect(steps.indexOf('snapshot-before-change')).toBeLessThan(steps.indexOf('remove-instances'));
    const step = attempt.plan_attempt_log.find((s: any) => s.step_id === 'snapshot-before-change');
    expect(JSON.stringify(step.info_log)).toContain('snapshot taken');

    const listed = (await platform.api('GET', `/deployments/${id}/snapshots`)).body.snapshots;
    expect(listed).toHaveLength(before + 1);
    expect(listed[0].trigger).toBe('before-change');
    await etcdPutViaProxy(platform, id, 'key-c', 'after-shrink');
    expect(
      (await platform.api('POST', `/deployments/${id}/_restore`, { snapshot: listed[0].id })).status,
    ).toBe(202);
    await succeeded();
    expect((await etcdGetViaProxy(platform, id, 'key-a')).value).toBe('before-snapshot');
    expect((await etcdGetViaProxy(platform, id, 'key-c')).value).toBeUndefined();
  });
});
