/**
 * End to end: `wharf platform backup` of a running platform (`wharf up --detach`) with an etcd
 * deployment serving a steady stream of requests through the proxy, then `wharf platform restore`
 * into a fresh ZooKeeper. The backup is a read: the deployment keeps serving through it (0 failed
 * requests), and the restored tree holds the deployment with its plan and instances.
 * Then the platform's own ZooKeeper loses its data (killed, data directory wiped, restarted empty
 * by `wharf up`'s keeper) and `wharf platform restore` brings it back while the deployment serves.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startZooKeeper, type TestZooKeeper } from '@wharf/testkit';
import { ZkSession, probeZooKeeper } from '@wharf/zk';
import { zookeeperServer } from './helpers/ensemble';
import { startPlatform, startTogether, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(240_000);

/** Live registrations: [path, ephemeral owner] of allocator and host live nodes and /services/*\/*. */
async function registrations(zk: ZkSession): Promise<[string, string | null][]> {
  const paths = [
    ...(await zk.children('/allocators')).map((a) => `/allocators/${a}/live`),
    ...(await zk.children('/hosts')).map((h) => `/hosts/${h}/live`),
  ];
  for (const service of await zk.children('/services'))
    for (const id of await zk.children(`/services/${service}`)) paths.push(`/services/${service}/${id}`);
  const stats = await Promise.all(paths.map((p) => zk.exists(p)));
  return paths.flatMap((p, i) =>
    stats[i] === null ? [] : [[p, stats[i]!.ephemeralOwner] as [string, string | null]],
  );
}

describe('platform backup of a running installation', () => {
  let platform: Platform;
  let fresh: TestZooKeeper;

  beforeAll(async () => {
    await startTogether([
      startPlatform().then((p) => (platform = p)),
      startZooKeeper().then((z) => (fresh = z)),
    ]);
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

  /**
   * Kills ZooKeeper, wipes its data, and restores `restoreDelayMs` after it answers again, under
   * load through both proxies. Returns the failed requests; asserts the keys written before.
   */
  async function wipeAndRestore(label: string, restoreDelayMs: number): Promise<string[]> {
    const list = await platform.api('GET', '/deployments');
    const all = (list.body.deployments ?? list.body) as { id: string; name: string }[];
    const id = all.find((d) => d.name === 'orders')!.id;
    for (let i = 0; i < 5; i++) await etcdPutViaProxy(platform, id, `${label}-${i}`, `v${i}`);
    const file = join(platform.home, `backup-${label}.json`);
    expect(await platform.cli(['platform', 'backup', '--out', file])).toMatchObject({ code: 0 });

    // Reads of a key written before the backup and writes of new keys, through both proxies.
    let stop = false;
    const counts = { reads: 0, writes: 0 };
    const failed: string[] = [];
    const load = (async () => {
      for (let n = 0; !stop; n++) {
        const port = platform.proxyPorts[n % 2];
        try {
          if (n % 2 === 0) {
            const got = await etcdGetViaProxy(platform, id, 'greeting', port);
            if (got.value === 'hello') counts.reads++;
            else failed.push(`read: value ${String(got.value)}`);
          } else {
            await etcdPutViaProxy(platform, id, `during-${n}`, 'x', port);
            counts.writes++;
          }
        } catch (err) {
          failed.push(`${n % 2 === 0 ? 'read' : 'write'}: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    const started = Date.now();
    let restoredAt = 0;
    let liveAt = 0;
    try {
      const before = new ZkSession({ connectString: `127.0.0.1:${platform.zkPort}`, chroot: '/wharf' });
      await before.start();
      const registered = await registrations(before).finally(() => before.close());
      expect(registered.length).toBeGreaterThanOrEqual(3 + 3 + 7); // allocators, hosts, services
      // ZooKeeper loses its data: killed, its data wiped before `wharf up` restarts it.
      const zkProcess = await zookeeperServer(platform.home, await platform.services());
      process.kill(zkProcess.pid, 'SIGKILL');
      await eventually(
        async () => {
          try {
            process.kill(zkProcess.pid, 0);
            return undefined;
          } catch {
            return true;
          }
        },
        5_000,
        'zookeeper to die',
        20,
      );
      await rm(join(zkProcess.dataDir, 'version-2'), { recursive: true, force: true });
      const connect = `127.0.0.1:${platform.zkPort}`;
      await eventually(
        async () => ((await probeZooKeeper(connect, 500)) ? true : undefined),
        20_000,
        'zookeeper back',
      );
      const empty = new ZkSession({ connectString: connect, chroot: '/' });
      await empty.start();
      const top = await empty.children('/');
      await empty.close();
      expect(top).not.toContain('wharf');
      await new Promise((r) => setTimeout(r, restoreDelayMs));

      const restore = await platform.cli(['platform', 'restore', '--in', file, '--force']);
      // The whole answer on failure: the CLI's stderr says which node and why.
      expect(restore).toEqual(expect.objectContaining({ code: 0 }));
      restoredAt = Date.now() - started;

      // Every service re-registers (the wiped server knows no ephemeral node, so each one found is
      // new): every allocator and host live node and every /services registration is back.
      const zk = new ZkSession({ connectString: connect, chroot: '/wharf' });
      await zk.start();
      let seen = '';
      try {
        await eventually(
          async () => {
            const live = await registrations(zk);
            seen = JSON.stringify(live);
            return live.length === registered.length && live.every(([, owner]) => owner !== null)
              ? true
              : undefined;
          },
          40_000,
          'every service to register again',
          100,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; last seen ${seen}`);
      } finally {
        await zk.close();
      }
      liveAt = Date.now() - started;
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      stop = true;
      await load;
    }
    process.stdout.write(
      `zookeeper wipe + restore (${label}, restore delayed ${restoreDelayMs} ms): restored after ${restoredAt} ms, every service registered again after ${liveAt} ms; ` +
        `${counts.reads} reads and ${counts.writes} writes served, ${failed.length} failed ` +
        `(${failed.filter((f) => f.startsWith('read')).length} reads)\n${failed.slice(0, 10).join('\n')}\n`,
    );
    for (let i = 0; i < 5; i++)
      expect((await etcdGetViaProxy(platform, id, `${label}-${i}`)).value).toBe(`v${i}`);
    return failed;
  }

  it('brings a wiped ZooKeeper back from a backup while the deployment serves', async () => {
    const failed = await wipeAndRestore('prompt', 0);
    expect(failed.filter((f) => f.startsWith('read'))).toEqual([]);

    // The control plane works on the restored tree: a new deployment is planned and runs.
    const second = await platform.api('POST', '/deployments', etcdPlan('after-restore', 1));
    expect(second.status).toBe(201);
    expect((await waitForPlan(platform, second.body.id as string, 60_000)).status).toBe('success');
  });

  // Later than the services' 10 s session timeout: they rebuild their sessions against the empty
  // tree. Allocators keep their instances (their specs root is gone, not their specs) and proxies
  // keep their routes (`/routes` is gone), so nothing is removed and the data survives the wait.
  it('keeps every instance and route when the restore comes later than the session timeout', async () => {
    const failed = await wipeAndRestore('late', 14_000);
    expect(failed.filter((f) => f.startsWith('read'))).toEqual([]);
  });
});
