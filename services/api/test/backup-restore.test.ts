/**
 * Platform backup and restore through the api (issue 9): a deployment and an API key created over
 * HTTP on one ZooKeeper, backed up, restored into a fresh ZooKeeper; the persistent trees are
 * equal, and an api started on the restored ZooKeeper serves the same deployment to the same
 * key (its hash travelled with the backup).
 */
import { startZooKeeper, type TestZooKeeper, persistentTree } from '@wharf/testkit';
import { ZkSession, encodeBackup, parseBackup, restoreBackup, takeBackup } from '@wharf/zk';
import { SESSION_TIMEOUT_MS, startHarness, type Harness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';

jest.setTimeout(60_000);

const CHROOT = '/wharf-backup';
const KEYS = '/api/v1/platform/configuration/security/api-keys';

describe('backup and restore of an installation', () => {
  let first: TestZooKeeper;
  let second: TestZooKeeper;
  let source: Harness;
  let restored: Harness | undefined;
  let target: ZkSession;

  beforeAll(async () => {
    [first, second] = await Promise.all([startZooKeeper(), startZooKeeper()]);
    source = await startHarness(first.connectString, CHROOT);
    target = new ZkSession({
      connectString: second.connectString,
      chroot: CHROOT,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    await target.start();
  }, 90_000);

  afterAll(async () => {
    await restored?.close();
    await target?.close();
    await source?.close();
    await Promise.all([first?.close(), second?.close()]);
  });

  it('a fresh ZooKeeper restored from the backup serves the same deployment to the same key', async () => {
    const created = await source.call('POST', '/api/v1/deployments', etcdRequest('orders'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const key = await source.call('POST', KEYS, { description: 'ci' });
    expect(key.status).toBe(201);

    const text = encodeBackup(await takeBackup(source.zk, { chroot: CHROOT }));
    const backup = parseBackup(text);
    // The api holds ephemerals (its live registration): none travel.
    const ephemerals: string[] = [];
    for (const n of backup.nodes) {
      const stat = await source.zk.exists(n.path);
      if (stat?.ephemeralOwner) ephemerals.push(n.path);
    }
    expect(ephemerals).toEqual([]);

    const result = await restoreBackup(target, backup);
    expect(result.created).toBe(backup.nodes.length);
    expect(await persistentTree(target)).toEqual(await persistentTree(source.zk));

    restored = await startHarness(second.connectString, CHROOT, source.key);
    const before = await source.call('GET', `/api/v1/deployments/${id}`);
    const after = await restored.call('GET', `/api/v1/deployments/${id}`);
    expect(after.status).toBe(200);
    expect(after.body.name).toBe('orders');
    expect(after.body).toEqual(before.body);
    expect((await restored.call('GET', '/api/v1/deployments')).body).toEqual(
      (await source.call('GET', '/api/v1/deployments')).body,
    );
    // The key created over HTTP authenticates against the restored installation.
    const listed = await restored.call('GET', KEYS, undefined, {
      headers: { authorization: `ApiKey ${key.body.key as string}` },
    });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(key.body.id as string);
  });

  it('restoring the same backup again is refused: the target is no longer empty', async () => {
    const backup = await takeBackup(source.zk, { chroot: CHROOT });
    await expect(restoreBackup(target, backup)).rejects.toMatchObject({ code: 'WHARF_CONFLICT' });
  });
});
