/**
 * The ACL migration against a real ZooKeeper: a tree written in plain mode (open ACLs), the
 * server restarted TLS-only on the same data, a proxy certificate still writes a deployment
 * (open ACL); the migration, run with the director's certificate, crashes midway and a rerun
 * completes it; then the proxy gets NoAuth where it wrote before, and the owners still write.
 */
import { freePort, tempDir, createTestTls, type TempDir, type TestTls } from '@wharf/testkit';
import { EmbeddedZooKeeper, ZkSession, migrateAcls, type ZkTlsOptions } from '@wharf/zk';

jest.setTimeout(90_000);

const CHROOT = '/wharf';
const DEPLOYMENTS = 30;
const NO_AUTH = { code: 'WHARF_ZK_NO_AUTH' };

let dir: TempDir;
let tls: TestTls;
let server: EmbeddedZooKeeper | undefined;
const sessions: ZkSession[] = [];

async function session(options: { tls?: ZkTlsOptions } = {}): Promise<ZkSession> {
  const s = new ZkSession({ connectString: server!.connectString, chroot: CHROOT, ...options });
  sessions.push(s);
  await s.start();
  return s;
}

const as = async (hostId: string, role: string) => session({ tls: await tls.client({ hostId, role }) });

beforeAll(async () => {
  [dir, tls] = await Promise.all([tempDir('wharf-acl-migration'), createTestTls()]);
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await server?.stop();
  await dir.cleanup();
});

/** The layout of a plain-mode installation, every node with ZooKeeper's open ACL. */
async function writePlainTree(zk: ZkSession): Promise<void> {
  await zk.mkdirp('/platform/security/api-keys');
  await zk.create('/platform/security/api-keys/k1', '{"hash":"x"}');
  await zk.mkdirp('/hosts');
  await zk.create('/hosts/host-4', '{"roles":["proxy"]}');
  await zk.mkdirp('/proxies');
  await zk.create('/proxies/proxy-host-4', '{"stats":0}');
  await zk.mkdirp('/allocators/allocator-host-3/status');
  await zk.create('/allocators/allocator-host-3/status/i1', '{}');
  await zk.mkdirp('/routes');
  await zk.mkdirp('/deployments');
  for (let i = 0; i < DEPLOYMENTS; i++) {
    await zk.create(`/deployments/d${i}`, '{"v":1}');
    await zk.create(`/routes/d${i}`, '{}');
  }
  await zk.mkdirp('/deployments/d0/plan');
  await zk.create('/deployments/d0/plan/pending', '{}');
}

test('plain tree → TLS-only server → migration (crash, rerun) → role ACLs enforced', async () => {
  const port = await freePort();
  server = new EmbeddedZooKeeper({ dataDir: dir.path, port, tickTimeMs: 200 });
  await server.start();
  const plain = await session();
  await writePlainTree(plain);
  await plain.close();
  await server.stop();

  server = new EmbeddedZooKeeper({ dataDir: dir.path, port, tickTimeMs: 200, tls: tls.serverOptions() });
  await server.start();
  const proxy = await as('host-4', 'proxy');
  // Before: the open ACLs let any certificate of the installation write anything.
  await proxy.set('/deployments/d1', '{"v":"proxy"}', -1);

  const director = await as('dir-host', 'director');
  let secured = 0;
  const crash = migrateAcls(director, {
    onSecured: () => {
      if (++secured === 10) throw new Error('simulated crash');
    },
  });
  await expect(crash).rejects.toThrow('simulated crash');
  await expect(proxy.set('/deployments/d2', '{"v":"proxy"}', -1)).resolves.toBeDefined();

  const rerun = await migrateAcls(director);
  // `/` (the chroot), platform 4, hosts 2, proxies 2, allocators 4, routes 1+30, deployments 1+30+2.
  const total = 1 + 4 + 2 + 2 + 4 + 31 + 33;
  expect(rerun.visited).toBe(total);
  expect(rerun.alreadySecure).toBeGreaterThanOrEqual(10);
  expect(rerun.secured + rerun.alreadySecure).toBe(total);
  expect(rerun.denied).toBe(0);
  expect(rerun.vanished).toBe(0);

  // After: the proxy is refused what it did before; the roles and owners write what they own.
  await expect(proxy.set('/deployments/d1', '{"v":"evil"}', -1)).rejects.toMatchObject(NO_AUTH);
  await expect(proxy.set('/deployments/d0/plan/pending', '{}', -1)).rejects.toMatchObject(NO_AUTH);
  await expect(proxy.create('/deployments/d99', '{}')).rejects.toMatchObject(NO_AUTH);
  await expect(proxy.get('/platform/security/api-keys/k1')).rejects.toMatchObject(NO_AUTH);
  expect((await proxy.get('/routes/d1')).data.toString()).toBe('{}');
  await proxy.set('/proxies/proxy-host-4', '{"stats":1}', -1);
  const otherProxy = await as('host-5', 'proxy');
  await expect(otherProxy.set('/proxies/proxy-host-4', '{}', -1)).rejects.toMatchObject(NO_AUTH);
  const api = await as('host-1', 'api');
  await api.set('/deployments/d1', '{"v":2}', -1);
  await (await as('host-3', 'allocator')).set('/allocators/allocator-host-3/status/i1', '{"ok":1}', -1);
  await (await as('host-4', 'runner')).set('/hosts/host-4', '{"roles":["proxy"]}', -1);

  // A third run changes nothing.
  const third = await migrateAcls(director);
  expect(third).toMatchObject({ visited: total, secured: 0, alreadySecure: total });
});
