/**
 * Snapshots and restore through the api against a real ZooKeeper and real etcd processes. The
 * test plays the constructor's part by hand (it writes `/routes/<id>` for each deployment,
 * pointing at an etcd it started), so what is under test is the api's: snapshot taken from the
 * routed instance, record written after the file, the source deployment deleted (its etcd killed,
 * its znodes gone), a new deployment created with `restore_from` and every key back; a flipped
 * byte refused with `WHARF_SNAPSHOT_CORRUPT` and nothing created; bad input named by field.
 */
import { readFile, writeFile } from 'node:fs/promises';
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
  async function route(id: string, etcd: EtcdProcess): Promise<void> {
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
    await h.zk.createJson(paths.route(id), entry);
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
});
