/**
 * Snapshots and restore through the api against a real ZooKeeper and real etcd processes. The
 * test plays the constructor's part by hand (it writes `/routes/<id>` for each deployment,
 * pointing at an etcd it started), so what is under test is the api's: snapshot taken from the
 * routed instance, record written after the file, the source deployment deleted (its etcd killed,
 * its znodes gone), a new deployment created with `restore_from` and every key back; a flipped
 * byte refused with `WHARF_SNAPSHOT_CORRUPT` and nothing created; bad input named by field;
 * `DELETE …/snapshots/{s}` and retention of before-change snapshots, sparing those a restore uses.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '@wharf/model';
import { etcdCall, etcdGet, etcdPut } from '@wharf/stacks';
import {
  type EtcdProcess,
  startEtcdProcess,
  startZooKeeper,
  tempDir,
  waitFor,
  type TempDir,
  type TestZooKeeper,
} from '@wharf/testkit';
import { startHarness, type Harness } from './helpers/harness';
import { etcdRequest, httpResource } from './helpers/plans';

jest.setTimeout(60_000);

const CHROOT = '/wharf-snapshots';
const KEYS = 200;

describe('snapshots and restore through the api', () => {
  let zk: TestZooKeeper;
  let h: Harness;
  let dir: TempDir;
  const etcds: EtcdProcess[] = [];

  beforeAll(async () => {
    [zk, dir] = await Promise.all([startZooKeeper(), tempDir('wharf-snapshots')]);
    h = await startHarness(zk.connectString, CHROOT);
  });

  afterAll(async () => {
    for (const e of etcds) e.proc.kill('SIGKILL');
    await h?.close();
    await zk?.close();
    await dir?.cleanup();
  });

  /** What the constructor would write once the deployment's instance runs. */
  async function route(id: string, etcd: EtcdProcess, session = h.zk): Promise<void> {
    const entry = {
      schema_version: 1,
      deployment_id: id,
      updated: new Date().toISOString(),
      instances: [
        {
          instance_id: `${id}-main-0`,
          allocator_id: 'alloc-1',
          ref_id: 'main',
          zone: 'zone-a',
          host: '127.0.0.1',
          port: etcd.port,
          healthy: true,
        },
      ],
    };
    await session.createJson(paths.route(id), entry);
  }

  async function deploymentCount(): Promise<number> {
    return (await h.zk.children(paths.deployments())).length;
  }

  it('snapshots, deletes, restores into a new deployment with every key; refuses damage and bad input', async () => {
    const source = await startEtcdProcess(dir.path, 'source');
    etcds.push(source);
    const created = await h.call('POST', '/api/v1/deployments', etcdRequest('orders', 1));
    expect(created.status).toBe(201);
    const sourceId: string = created.body.id;
    await route(sourceId, source);
    const expected = new Map<string, string>();
    for (let i = 0; i < KEYS; i++) {
      await etcdPut(source.url, `k/${i}`, `value ${i}`);
      expected.set(`k/${i}`, `value ${i}`);
    }

    // Take one: the record lists time, size, sha256 and status.
    const taken = await h.call('POST', `/api/v1/deployments/${sourceId}/snapshots`);
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({ status: 'success', kind: 'etcd', deployment_id: sourceId });
    expect(taken.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = await h.call('GET', `/api/v1/deployments/${sourceId}/snapshots`);
    expect(listed.body.snapshots).toEqual([taken.body]);
    const file = join(h.home.path, 'snapshots', sourceId, `${taken.body.id as string}.db`);
    expect((await readFile(file)).length).toBe(taken.body.bytes);

    // Delete the source: its etcd dies and its znodes go (the constructor's part, by hand).
    expect((await h.call('DELETE', `/api/v1/deployments/${sourceId}`)).status).toBe(202);
    source.proc.kill('SIGKILL');
    await h.zk.deleteRecursive(paths.deployment(sourceId));
    await h.zk.deleteRecursive(paths.route(sourceId));
    expect((await h.call('GET', `/api/v1/deployments/${sourceId}/snapshots`)).body.snapshots).toHaveLength(1);

    // Bad input: nothing is created.
    const before = await deploymentCount();
    const restoreFrom = { deployment: sourceId, snapshot: taken.body.id };
    const bad = async (body: unknown, status: number, path: string) => {
      const res = await h.call('POST', '/api/v1/deployments', body);
      expect(res.status).toBe(status);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    };
    await bad(
      { ...etcdRequest('copy', 1), restore_from: { ...restoreFrom, snapshot: 'nope' } },
      404,
      'restore_from.snapshot',
    );
    await bad(
      { ...etcdRequest('copy', 1), restore_from: { ...restoreFrom, deployment: 'Bad_Id' } },
      400,
      'restore_from.deployment',
    );
    await bad({ ...etcdRequest('copy', 1), restore_from: 'x' }, 400, 'restore_from');
    await bad(
      { name: 'web', resources: { http: [httpResource()] }, restore_from: restoreFrom },
      400,
      'resources',
    );
    expect(await deploymentCount()).toBe(before);

    // A flipped byte: refused with a coded error, nothing created.
    const good = await readFile(file);
    const damaged = Buffer.from(good);
    const at = Math.floor(damaged.length / 3);
    damaged[at] = damaged[at]! ^ 0x01;
    await writeFile(file, damaged);
    const refused = await h.call('POST', '/api/v1/deployments', {
      ...etcdRequest('copy', 1),
      restore_from: restoreFrom,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('WHARF_SNAPSHOT_CORRUPT');
    expect(await deploymentCount()).toBe(before);
    await writeFile(file, good);

    // Restore into a new deployment: every key back once its instance is routed.
    const restored = await h.call('POST', '/api/v1/deployments', {
      ...etcdRequest('copy', 1),
      restore_from: restoreFrom,
    });
    expect(restored.status).toBe(201);
    expect(restored.body.restore).toMatchObject({ status: 'pending', from: restoreFrom });
    const targetId: string = restored.body.id;
    const target = await startEtcdProcess(dir.path, 'target');
    etcds.push(target);
    await route(targetId, target);
    await waitFor(
      async () => (await h.call('GET', `/api/v1/deployments/${targetId}/restore`)).body.status === 'done',
      {
        timeoutMs: 20_000,
      },
    );
    const status = await h.call('GET', `/api/v1/deployments/${targetId}/restore`);
    expect(status.body).toMatchObject({ status: 'done', keys: KEYS });
    const zero = Buffer.from([0]).toString('base64');
    const all = await etcdCall(target.url, '/v3/kv/range', { key: zero, range_end: zero, count_only: true });
    expect(Number(all.count)).toBe(KEYS);
    for (const [key, value] of expected) expect(await etcdGet(target.url, key)).toBe(value);
  });

  it('takes scheduled snapshots once per interval across two apis and after one stops; prunes beyond retention', async () => {
    const INTERVAL_MS = 1500;
    const chroot = '/wharf-scheduled';
    const options = { config: { snapshotIntervalMs: INTERVAL_MS } };
    const a = await startHarness(zk.connectString, chroot, undefined, options);
    const b = await startHarness(zk.connectString, chroot, a.key, options);
    try {
      const bad = etcdRequest('often', 1);
      bad.resources.etcd[0].settings = { snapshot: { interval: '10s' } };
      const refused = await a.call('POST', '/api/v1/deployments', bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.map((d: any) => d.path)).toContain(
        'resources.etcd[0].settings.snapshot.interval',
      );
      expect(await a.zk.children(paths.deployments())).toEqual([]);

      const request = etcdRequest('scheduled', 1);
      request.resources.etcd[0].settings = { snapshot: { interval: '1m', retention: { snapshots: 100 } } };
      const id: string = (await a.call('POST', '/api/v1/deployments', request)).body.id;
      const etcd = await startEtcdProcess(dir.path, 'scheduled');
      etcds.push(etcd);
      await etcdPut(etcd.url, 'k', 'v');
      const pending = await a.zk.get(paths.planPending(id));
      // The constructor's part: the plan applied, the instance routed.
      await a.zk
        .transaction()
        .create(paths.planCurrent(id), pending.data)
        .delete(paths.planPending(id))
        .commit();
      await route(id, etcd, a.zk);

      const slots = () =>
        [a, b].flatMap((x) =>
          x.logger.entries.filter((e) => e.message === 'scheduled snapshot taken').map((e) => e.meta.slot),
        );
      const scheduled = async () =>
        (await b.call('GET', `/api/v1/deployments/${id}/snapshots`)).body.snapshots.filter(
          (s: any) => s.trigger === 'schedule',
        );
      await waitFor(async () => (await scheduled()).length >= 3, { timeoutMs: 20_000 });
      // The first api stops (its home, holding the repository, stays); the other carries on
      // without a second snapshot in any slot the first one took.
      await a.api.close();
      const before = slots().length;
      await waitFor(async () => slots().length >= before + 2, { timeoutMs: 20_000 });
      expect(new Set(slots()).size).toBe(slots().length);

      // Retention 2: older scheduled snapshots go (record and file); a requested one stays.
      const manual = await b.call('POST', `/api/v1/deployments/${id}/snapshots`);
      expect(manual.status).toBe(201);
      const current = JSON.parse((await b.zk.get(paths.planCurrent(id))).data.toString());
      current.resources.etcd[0].settings.snapshot.retention.snapshots = 2;
      await b.zk.set(paths.planCurrent(id), Buffer.from(JSON.stringify(current)), -1);
      await waitFor(async () => (await scheduled()).length === 2, { timeoutMs: 20_000 });
      const kept = (await b.call('GET', `/api/v1/deployments/${id}/snapshots`)).body.snapshots;
      expect(kept.map((s: any) => s.id)).toContain(manual.body.id);
      const files = await readdir(join(a.home.path, 'snapshots', id));
      expect(files.filter((f) => f.endsWith('.db')).sort()).toEqual(
        kept.map((s: any) => `${s.id}.db`).sort(),
      );
    } finally {
      await b.close();
      await a.close();
    }
  });
  it('deletes a snapshot (404 unknown, 409 while a restore uses it); prunes before-change snapshots beyond retention, never one in use', async () => {
    // The scheduler's tick is short; the deployment asks for no schedule, so only retention runs.
    const options = { config: { snapshotIntervalMs: 1500 } };
    const c = await startHarness(zk.connectString, '/wharf-prune', undefined, options);
    try {
      const id: string = (await c.call('POST', '/api/v1/deployments', etcdRequest('pruned', 1))).body.id;
      const etcd = await startEtcdProcess(dir.path, 'pruned');
      etcds.push(etcd);
      await etcdPut(etcd.url, 'k', 'v');
      await route(id, etcd, c.zk);
      const ids: string[] = [];
      for (let i = 0; i < 13; i++)
        ids.unshift((await c.call('POST', `/api/v1/deployments/${id}/snapshots`)).body.id);
      const snapshotsPath = `/api/v1/deployments/${id}/snapshots`;
      const listed = async () => (await c.call('GET', snapshotsPath)).body.snapshots as any[];
      expect((await listed()).map((s) => s.id)).toEqual(ids);

      // In use: a pending restore into a new deployment reads the oldest; an in-place restore
      // (the pending plan's `restore` block) the sixth.
      const restore = {
        schema_version: 1,
        deployment_id: 'copy-1',
        from: { deployment: id, snapshot: ids[12] },
      };
      await c.zk.mkdirp('/restores');
      await c.zk.createJson('/restores/copy-1', {
        ...restore,
        sha256: 'x',
        status: 'pending',
        created: new Date().toISOString(),
      });
      const pending = JSON.parse((await c.zk.get(paths.planPending(id))).data.toString());
      pending.restore = { snapshot: ids[5], sha256: 'a'.repeat(64), created: new Date().toISOString() };
      await c.zk.set(paths.planPending(id), Buffer.from(JSON.stringify(pending)), -1);
      for (const inUse of [ids[12], ids[5]]) {
        const refused = await c.call('DELETE', `${snapshotsPath}/${inUse}`);
        expect(refused.status).toBe(409);
        expect(refused.body.error.details[0].path).toBe('snapshot');
      }
      const unknown = await c.call('DELETE', `${snapshotsPath}/no-such-snapshot`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.details[0].path).toBe('snapshot');
      expect((await c.call('DELETE', `${snapshotsPath}/Bad_Id`)).status).toBe(400);
      expect((await listed()).map((s) => s.id)).toEqual(ids);

      // Deleted: record and file.
      const deleted = await c.call('DELETE', `${snapshotsPath}/${ids[1]}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.id).toBe(ids[1]);
      const dbFiles = async () =>
        (await readdir(join(c.home.path, 'snapshots', id))).filter((f) => f.endsWith('.db')).sort();
      expect(await dbFiles()).not.toContain(`${ids[1]}.db`);
      const left = ids.filter((s) => s !== ids[1]);
      expect((await listed()).map((s) => s.id)).toEqual(left);

      // The constructor's before-change snapshots (records rewritten by hand): default retention
      // 10 keeps the newest ten; of the two older ones, the one a restore reads stays.
      for (const s of left) {
        const path = `/snapshots/${id}/${s}`;
        const record = JSON.parse((await c.zk.get(path)).data.toString());
        await c.zk.set(path, Buffer.from(JSON.stringify({ ...record, trigger: 'before-change' })), -1);
      }
      await waitFor(async () => (await listed()).length === 11, { timeoutMs: 20_000 });
      const kept = (await listed()).map((s) => s.id);
      expect(kept).toEqual(left.filter((s) => s !== ids[11]));
      expect(kept).toContain(ids[12]);
      // The record goes first, then the file: on a loaded box the listing can be ahead of the disk.
      const keptFiles = kept.map((s) => `${s}.db`).sort();
      await waitFor(async () => (await dbFiles()).join() === keptFiles.join(), { timeoutMs: 10_000 });
      expect(await dbFiles()).toEqual(keptFiles);
    } finally {
      await c.close();
    }
  });
});
