/**
 * `wharf platform backup` and `wharf platform restore` as a user runs them (the built CLI) against
 * a real ZooKeeper: the file is private and versioned, a restore into an empty chroot gives the
 * same persistent tree, a non-empty target is refused without `--force`.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, useZooKeeper, type TempDir, persistentTree } from '@wharf/testkit';
import { runCli } from './cli-process';

const zk = useZooKeeper();
let home: TempDir;

beforeEach(async () => {
  home = await tempDir('wharf-backup');
});

afterEach(async () => {
  await home.cleanup();
});

describe('wharf platform backup / restore', () => {
  test('backup writes a private versioned file; restore brings an empty chroot back to it', async () => {
    const source = await zk.session();
    await source.mkdirp('/deployments/d1');
    await source.set('/deployments/d1', JSON.stringify({ name: 'orders' }), -1);
    await source.mkdirp('/security/api-keys');
    await source.create('/security/api-keys/k1', JSON.stringify({ hash: 'scrypt$1$2$3$abc' }));
    await source.mkdirp('/live');
    await source.create('/live/api-1', 'x', 'ephemeral');
    const file = join(home.path, 'backup.json');
    const env = { WHARF_HOME: home.path, WHARF_ZK: zk.connectString };

    const backup = await runCli(
      ['platform', 'backup', '--out', file, '--zk-chroot', zk.chroot, '--json'],
      env,
    );
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(backup.stdout)).toMatchObject({ file, nodes: 6 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(doc).toMatchObject({
      format: 'wharf-backup',
      version: 1,
      chroot: zk.chroot,
      zxid: expect.any(String),
    });
    expect(Date.parse(doc.taken_at)).not.toBeNaN();
    expect(doc.nodes.map((n: { path: string }) => n.path)).not.toContain('/live/api-1');

    const restored = `${zk.chroot}-restored`;
    const restore = await runCli(['platform', 'restore', '--in', file, '--zk-chroot', restored], env);
    expect(restore).toMatchObject({ code: 0, stderr: '' });
    expect(restore.stdout).toContain('6 created');
    const target = await zk.session({ chroot: restored });
    expect(await persistentTree(target)).toEqual(await persistentTree(source));

    // Again into the same, now non-empty, chroot: refused and untouched; --force overwrites.
    await target.set('/deployments/d1', 'changed', -1);
    const again = await runCli(['platform', 'restore', '--in', file, '--zk-chroot', restored], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('WHARF_CONFLICT');
    expect((await target.get('/deployments/d1')).data.toString()).toBe('changed');
    const forced = await runCli(
      ['platform', 'restore', '--in', file, '--zk-chroot', restored, '--force'],
      env,
    );
    expect(forced.code).toBe(0);
    expect(await persistentTree(target)).toEqual(await persistentTree(source));
  }, 60_000);

  test('a file that is not a wharf backup is refused naming the field; nothing is written', async () => {
    const file = join(home.path, 'bad.json');
    await writeFile(file, JSON.stringify({ format: 'wharf-backup', version: 7 }));
    const chroot = `${zk.chroot}-bad`;
    const res = await runCli(
      ['platform', 'restore', '--in', file, '--zk', zk.connectString, '--zk-chroot', chroot],
      {
        WHARF_HOME: home.path,
      },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('WHARF_VALIDATION');
    expect(res.stderr).toContain('version');
    const target = await zk.session({ chroot });
    expect(await target.children('/')).toEqual([]);
  }, 30_000);
});
