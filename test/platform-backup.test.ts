/**
 * End to end: `wharf platform backup` of a running platform (`wharf up --detach`) with an etcd
 * deployment serving a steady stream of requests through the proxy, then `wharf platform restore`
 * into a fresh ZooKeeper. The backup is a read: the deployment keeps serving through it (0 failed
 * requests), and the restored tree holds the deployment with its plan and instances.
 * Not covered here: swapping the running platform onto the restored ZooKeeper.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startZooKeeper, type TestZooKeeper } from '@wharf/testkit';
import { ZkSession } from '@wharf/zk';
import { startPlatform, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(240_000);

describe('platform backup of a running installation', () => {
  let platform: Platform;
  let fresh: TestZooKeeper;

  beforeAll(async () => {
    [platform, fresh] = await Promise.all([startPlatform(), startZooKeeper()]);
  }, 180_000);

  afterAll(async () => {
    await platform?.down();
    await fresh?.close();
  });

  it('backs up while the deployment serves, and restores into a fresh ZooKeeper', async () => {
    const created = await platform.api('POST', '/deployments', etcdPlan('orders', 3));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await waitForPlan(platform, id)).status).toBe('success');
    await eventually(
      () => etcdPutViaProxy(platform, id, 'greeting', 'hello'),
      15_000,
      'a put through the proxy',
    );

    // Steady reads through the proxy for the whole backup.
    let stop = false;
    let ok = 0;
    const failed: string[] = [];
    const load = (async () => {
      while (!stop) {
        try {
          const got = await etcdGetViaProxy(platform, id, 'greeting');
          if (got.value === 'hello') ok++;
          else failed.push(`value ${String(got.value)}`);
        } catch (err) {
          failed.push((err as Error).message);
        }
      }
    })();
    const file = join(platform.home, 'backup.json');
    let backup;
    try {
      backup = await platform.cli(['platform', 'backup', '--out', file, '--json']);
    } finally {
      stop = true;
      await load;
    }
    expect(backup).toMatchObject({ code: 0 });
    process.stdout.write(`backup during load: ${ok} reads served, ${failed.length} failed; ${backup.stdout}`);
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    const backedUp = new Set<string>(doc.nodes.map((n: { path: string }) => n.path));
    expect(backedUp.has(`/deployments/${id}`)).toBe(true);
    // Nothing ephemeral: no live registration of any service.
    const zk = new ZkSession({ connectString: `127.0.0.1:${platform.zkPort}`, chroot: doc.chroot });
    await zk.start();
    try {
      for (const path of backedUp) {
        const s = await zk.exists(path);
        if (s !== null)
          expect({ path, ephemeral: s.ephemeralOwner !== null }).toEqual({ path, ephemeral: false });
      }
    } finally {
      await zk.close();
    }

    const restore = await platform.cli(['platform', 'restore', '--in', file, '--zk', fresh.connectString]);
    expect(restore).toMatchObject({ code: 0 });
    const target = new ZkSession({ connectString: fresh.connectString, chroot: doc.chroot });
    await target.start();
    try {
      const plan = await target.get(`/deployments/${id}`);
      expect(plan.data.toString('base64')).toBe(
        doc.nodes.find((n: { path: string }) => n.path === `/deployments/${id}`).data,
      );
      let count = 0;
      const walk = async (path: string): Promise<void> => {
        if (path !== '/') count++;
        for (const name of await target.children(path))
          await walk(path === '/' ? `/${name}` : `${path}/${name}`);
      };
      await walk('/');
      expect(count).toBe(backedUp.size);
    } finally {
      await target.close();
    }
    // The platform is untouched by all this.
    expect((await etcdGetViaProxy(platform, id, 'greeting')).value).toBe('hello');
  });
});
