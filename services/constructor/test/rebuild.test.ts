/**
 * A single-member etcd deployment lost with its host (its fake allocator closed, its etcd member
 * SIGKILLed): with a snapshot in the repository the constructor recovers it on its own — a new
 * cluster on the spare allocator, the snapshot restored into it before it is routed, the step log
 * saying how old the data is; without one it is held (no plan), since an empty cluster would look
 * recovered and serve nothing.
 */
import { newSnapshotId, paths, snapshotRecordPath, type SnapshotRecord } from '@wharf/model';
import { etcdGet, etcdPut, getStackPack, openRepository, storeVerifiedSnapshot } from '@wharf/stacks';
import { tempDir, useZooKeeper, type TempDir } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { RECOVER_GRACE_MS, useEtcdHosts } from './etcd-hosts';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readAttempt,
  readRoute,
  specsOf,
  waitForAttempt,
  waitForRecovery,
} from './harness';

jest.setTimeout(120_000);

const D = 'd1';
const fixture = useZooKeeper();

describe('recovery of a single-member deployment from its latest snapshot', () => {
  const hosts = useEtcdHosts();
  let repo: TempDir;

  afterEach(async () => {
    await repo.cleanup();
  });

  /** a1 and a2 in one zone; the one-member cluster lands on one of them, the other is spare. */
  async function setUp(): Promise<ZkSession> {
    const zk = await fixture.session();
    await preparePlatform(zk);
    repo = await tempDir('wharf-rebuild');
    await zk.createJson(paths.platformConfig(), {
      schema_version: 1,
      domain: 'localhost',
      installation_id: 'rebuild-test',
      created: new Date().toISOString(),
      snapshot_repository: { type: 'fs', path: repo.path },
    });
    const layout: [string, string][] = [
      ['a1', 'zone-a'],
      ['a2', 'zone-a'],
    ];
    await hosts.start(zk, layout, await fixture.session(), RECOVER_GRACE_MS);
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 1, timeoutSeconds: 60 }));
    expect((await waitForAttempt(zk, D, 'p-create', 60_000)).status).toBe('success');
    return zk;
  }

  const routed = async (zk: ZkSession) => {
    const i = (await readRoute(zk, D))!.instances.find((x) => x.healthy)!;
    return { instance: i, url: `http://${i.host}:${i.port}` };
  };

  /** What the api's POST .../snapshots does: store, verify, then record. */
  async function snapshot(zk: ZkSession): Promise<string> {
    const pack = getStackPack('etcd');
    const { instance } = await routed(zk);
    const member = {
      name: instance.instance_id,
      host: instance.host,
      ports: { [pack.routePort]: instance.port },
    };
    const snapshotId = newSnapshotId(Date.now());
    const repository = openRepository({ type: 'fs', path: repo.path });
    const verified = await storeVerifiedSnapshot(pack, repository, { deploymentId: D, snapshotId, member });
    const record: SnapshotRecord = {
      schema_version: 1,
      id: snapshotId,
      deployment_id: D,
      kind: 'etcd',
      status: 'success',
      created: new Date().toISOString(),
      bytes: verified.bytes,
      sha256: verified.sha256,
      instance_id: instance.instance_id,
      repository: repo.path,
    };
    await zk.mkdirp(snapshotRecordPath(D));
    await zk.createJson(snapshotRecordPath(D, snapshotId), record);
    return snapshotId;
  }

  /** The host of the only member dies: allocator gone, etcd SIGKILLed. Returns its allocator. */
  async function killHost(zk: ZkSession): Promise<string> {
    const [spec] = await specsOf(zk, D);
    await hosts.kill(spec!.allocator_id);
    return spec!.allocator_id;
  }

  it('comes back on the spare allocator with the data of its latest snapshot, saying how old it is', async () => {
    const zk = await setUp();
    await etcdPut((await routed(zk)).url, 'in-snapshot', 'kept');
    const snapshotId = await snapshot(zk);
    await etcdPut((await routed(zk)).url, 'after-snapshot', 'lost-with-the-host');
    const dead = await killHost(zk);

    const recovered = await waitForRecovery(zk, D);
    expect(recovered.error).toBeUndefined();
    expect(recovered.status).toBe('success');
    const steps = recovered.plan_attempt_log.map((s) => s.step_id);
    expect(steps.indexOf('restore-snapshot')).toBeGreaterThan(steps.indexOf('wait-until-running'));
    expect(steps.indexOf('restore-snapshot')).toBeLessThan(steps.indexOf('update-routing'));
    expect(steps).not.toContain('leave-cluster');
    const restoreLog = JSON.stringify(
      recovered.plan_attempt_log.find((s) => s.step_id === 'restore-snapshot'),
    );
    expect(restoreLog).toContain(snapshotId);
    expect(restoreLog).toContain('data_age_seconds');

    const [spec] = await specsOf(zk, D);
    expect(spec!.allocator_id).not.toBe(dead);
    const { url } = await routed(zk);
    expect(await etcdGet(url, 'in-snapshot')).toBe('kept');
    expect(await etcdGet(url, 'after-snapshot')).toBeNull();
  });

  it('is held without a snapshot: no recovery plan, the dead member stays', async () => {
    const zk = await setUp();
    const dead = await killHost(zk);
    await new Promise((r) => setTimeout(r, RECOVER_GRACE_MS * 3));
    expect(await zk.exists(paths.planPending(D))).toBeNull();
    expect((await readAttempt(zk, D))?.plan_id).toBe('p-create');
    expect((await specsOf(zk, D)).map((s) => s.allocator_id)).toEqual([dead]);
  });
});
