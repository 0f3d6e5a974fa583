/**
 * Backup and restore against a real ZooKeeper: every persistent node (binary data included) comes
 * back under another chroot, ephemerals never travel, a read racing writes still yields one
 * instant of the tree, and a restore refuses a target that holds anything unless forced.
 */
import { useZooKeeper, persistentTree } from '@wharf/testkit';
import {
  encodeBackup,
  parseBackup,
  restoreBackup,
  takeBackup,
  type BackupSession,
  type ZkSession,
} from '@wharf/zk';

const zk = useZooKeeper();

async function seed(s: ZkSession): Promise<void> {
  await s.mkdirp('/deployments/d1/plan');
  await s.set('/deployments/d1', JSON.stringify({ name: 'orders' }), -1);
  await s.create('/deployments/d1/plan/pending', Buffer.from([0, 1, 2, 255]));
  await s.mkdirp('/live/hosts');
  await s.mkdirp('/leader/constructor');
  await s.create('/live/hosts/h1', 'alive', 'ephemeral');
  await s.create('/leader/constructor/latch-', 'c1', 'ephemeral_sequential');
  await s.mkdirp('/security/api-keys');
  await s.create('/security/api-keys/k1', JSON.stringify({ hash: 'sha256:abc' }));
}

describe('platform backup and restore', () => {
  test('a restore into an empty chroot brings back every persistent node and no ephemeral', async () => {
    const source = await zk.session();
    await seed(source);
    const backup = await takeBackup(source, { chroot: zk.chroot });
    expect(backup.nodes.map((n) => n.path)).not.toContain('/live/hosts/h1');
    expect(backup.nodes.some((n) => n.path.startsWith('/leader/constructor/latch-'))).toBe(false);
    expect(BigInt(backup.zxid)).toBeGreaterThan(0n);

    const target = await zk.session({ chroot: `${zk.chroot}-restored` });
    const result = await restoreBackup(target, parseBackup(encodeBackup(backup)), {
      limits: { maxOps: 3, maxBytes: 1_000_000 },
    });
    expect(result).toMatchObject({ created: backup.nodes.length, overwritten: 0 });
    expect(result.transactions).toBe(Math.ceil(backup.nodes.length / 3));
    expect(await persistentTree(target)).toEqual(await persistentTree(source));
    expect(await target.exists('/live/hosts/h1')).toBeNull();
    expect((await target.get('/deployments/d1/plan/pending')).data).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  test('a target holding anything is refused, and nothing is written; --force overwrites', async () => {
    const source = await zk.session();
    await seed(source);
    const backup = await takeBackup(source, { chroot: zk.chroot });
    const target = await zk.session({ chroot: `${zk.chroot}-busy` });
    await target.create('/deployments', 'old');
    await expect(restoreBackup(target, backup)).rejects.toMatchObject({
      code: 'WHARF_CONFLICT',
      message: expect.stringContaining('/deployments'),
    });
    expect(await target.children('/')).toEqual(['deployments']);
    expect((await target.get('/deployments')).data.toString()).toBe('old');

    const forced = await restoreBackup(target, backup, { force: true });
    expect(forced.overwritten).toBe(1);
    expect(await persistentTree(target)).toEqual(await persistentTree(source));
  });

  test('--force into a live tree retries a batch that another session raced (created a node meanwhile)', async () => {
    const source = await zk.session();
    await seed(source);
    const backup = await takeBackup(source, { chroot: zk.chroot });
    const target = await zk.session({ chroot: `${zk.chroot}-raced` });
    await target.create('/deployments', 'old');
    const racer = await zk.session({ chroot: `${zk.chroot}-raced` });
    let raced = false;
    // A service re-registering after a wipe: it creates the node right after the restore found it missing.
    const racing = new Proxy(target, {
      get(real, name) {
        if (name !== 'exists') return Reflect.get(real, name, real) as unknown;
        return async (path: string) => {
          const stat = await real.exists(path);
          if (path === '/security/api-keys/k1' && stat === null && !raced) {
            raced = true;
            await racer.mkdirp('/security/api-keys');
            await racer.create(path, 'written by a live service');
          }
          return stat;
        };
      },
    });
    const forced = await restoreBackup(racing, backup, { force: true });
    expect(raced).toBe(true);
    expect(forced.overwritten).toBeGreaterThanOrEqual(2); // /deployments, and the raced key on the retry
    expect(await persistentTree(target)).toEqual(await persistentTree(source));
  });

  test('ephemerals alone do not make a target non-empty', async () => {
    const source = await zk.session();
    await seed(source);
    const backup = await takeBackup(source, { chroot: zk.chroot });
    const target = await zk.session({ chroot: `${zk.chroot}-ephemeral` });
    await target.create('/lock', '', 'ephemeral');
    await restoreBackup(target, backup);
    expect(await persistentTree(target)).toEqual(await persistentTree(source));
  });

  test('a write landing between the reads of two nodes is caught: the backup never mixes before and after', async () => {
    const source = await zk.session();
    const writer = await zk.session();
    await source.mkdirp('/pair/d/1/2/3');
    await source.create('/pair/a', '0');
    await source.create('/pair/d/1/2/3/z', '0');
    let wrote = false;
    // The session the backup reads through writes both nodes right after /pair/a is read.
    const racing: BackupSession = {
      get: async (path, watcher) => {
        const node = await source.get(path, watcher);
        if (path === '/pair/a' && !wrote) {
          wrote = true;
          await writer.transaction().set('/pair/a', '1', -1).set('/pair/d/1/2/3/z', '1', -1).commit();
        }
        return node;
      },
      childrenWithStat: (path, watcher) => source.childrenWithStat(path, watcher),
      exists: (path, watcher) => source.exists(path, watcher),
      onStateChange: (listener) => source.onStateChange(listener),
    };
    const backup = await takeBackup(racing, { chroot: zk.chroot });
    expect(wrote).toBe(true);
    const value = (p: string) =>
      Buffer.from(backup.nodes.find((x) => x.path === p)!.data, 'base64').toString();
    expect([value('/pair/a'), value('/pair/d/1/2/3/z')]).toEqual(['1', '1']);
  });

  test('a read racing writes is one instant of the tree: two nodes written together stay equal', async () => {
    const source = await zk.session();
    const writer = await zk.session();
    // /pair/a is read five levels and 300 nodes before /pair/d/1/2/3/z: a walk alone straddles writes.
    await source.mkdirp('/pair/d/1/2/3');
    await source.create('/pair/a', '0');
    await source.create('/pair/d/1/2/3/z', '0');
    // Fillers on the way: the walk takes several round trips between the two.
    const tx = source.transaction();
    for (let i = 0; i < 300; i++) tx.create(`/pair/d/filler-${String(i).padStart(3, '0')}`, 'x');
    await tx.commit();
    let n = 0;
    let stop = false;
    // Writes back to back (a few ms apart): far busier than a platform, which writes on plan steps and status changes.
    const writing = (async () => {
      while (!stop) {
        n++;
        await writer
          .transaction()
          .set('/pair/a', String(n), -1)
          .set('/pair/d/1/2/3/z', String(n), -1)
          .commit();
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      for (let i = 0; i < 10; i++) {
        const backup = await takeBackup(source, { chroot: zk.chroot, attempts: 100 });
        const value = (p: string) =>
          Buffer.from(backup.nodes.find((x) => x.path === p)!.data, 'base64').toString();
        expect(value('/pair/a')).toBe(value('/pair/d/1/2/3/z'));
      }
    } finally {
      stop = true;
      await writing;
    }
    expect(n).toBeGreaterThan(10);
  }, 30_000);
});
