/**
 * End to end: `_restore` in place on the single-host platform (`wharf up --detach`, every service
 * its own process, real etcd members). Key A is written, a snapshot taken, key B written; the
 * CLI's `deployment restore <id> --snapshot <s> --track` runs a plan whose activity log shows the
 * `restore-snapshot` step and the age of the data; afterwards A is back and B is gone. A missing
 * or damaged snapshot is refused with a coded 4xx naming `snapshot`, and no plan is written.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPlatform, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);

describe('snapshots of a 3-member etcd deployment', () => {
  let platform: Platform;
  let id: string;

  const succeeded = async () => {
    const attempt = await waitForPlan(platform, id);
    expect(attempt.status).toBe('success');
    return attempt;
  };
  const pendingPlan = async () => (await platform.api('GET', `/deployments/${id}/plan`)).body.pending;

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

  it('restores in place with the CLI: A (before the snapshot) back, B (after it) gone', async () => {
    const taken = await platform.api('POST', `/deployments/${id}/snapshots`);
    expect(taken.status).toBe(201);
    const snapshot = taken.body.id as string;
    await etcdPutViaProxy(platform, id, 'key-b', 'after-snapshot');
    await etcdPutViaProxy(platform, id, 'key-a', 'overwritten');
    expect((await etcdGetViaProxy(platform, id, 'key-b')).value).toBe('after-snapshot');

    const restored = await platform.cli(['deployment', 'restore', id, '--snapshot', snapshot, '--track']);
    expect(restored.code).toBe(0);
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
