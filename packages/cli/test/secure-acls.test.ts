/**
 * `wharf platform secure-acls` as an operator runs it: an installation's tree written in plain
 * mode, ZooKeeper restarted TLS-only on the same data, the command run with the director's
 * certificate files; a proxy certificate that wrote a deployment before gets NoAuth after, and a
 * second run reports nothing left to do.
 */
import { join } from 'node:path';
import { writeTlsCredentials } from '@wharf/pki';
import { createTestTls, freePort, tempDir, type TempDir, type TestTls } from '@wharf/testkit';
import { EmbeddedZooKeeper, ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { runCli } from './cli-process';

jest.setTimeout(90_000);

let dir: TempDir;
let tls: TestTls;
let server: EmbeddedZooKeeper | undefined;
const sessions: ZkSession[] = [];

beforeAll(async () => {
  [dir, tls] = await Promise.all([tempDir('wharf-secure-acls'), createTestTls()]);
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await server?.stop();
  await dir.cleanup();
});

async function session(options: { tls?: ZkTlsOptions } = {}): Promise<ZkSession> {
  const s = new ZkSession({ connectString: server!.connectString, chroot: '/wharf', ...options });
  sessions.push(s);
  await s.start();
  return s;
}

const text = (v: string | Buffer): string => v.toString();

test('plain-mode tree, TLS-only restart, secure-acls with the director certificate: the proxy loses its write', async () => {
  const port = await freePort();
  const dataDir = join(dir.path, 'zk');
  server = new EmbeddedZooKeeper({ dataDir, port, tickTimeMs: 200 });
  await server.start();
  const plain = await session();
  await plain.mkdirp('/deployments/d1/plan');
  await plain.create('/deployments/d1/plan/pending', '{}');
  await plain.mkdirp('/proxies');
  await plain.create('/proxies/proxy-edge', '{}');
  await plain.close();
  await server.stop();

  server = new EmbeddedZooKeeper({ dataDir, port, tickTimeMs: 200, tls: tls.serverOptions() });
  await server.start();
  const proxy = await session({ tls: await tls.client({ hostId: 'edge', role: 'proxy' }) });
  await proxy.set('/deployments/d1', '{"by":"proxy"}', -1);

  const certDir = join(dir.path, 'home', 'tls', 'director');
  const own = await tls.client({ hostId: 'dir-host', role: 'director' });
  await writeTlsCredentials(certDir, { ca: text(own.ca), cert: text(own.cert), key: text(own.key) });
  const args = ['platform', 'secure-acls', '--zk', server.connectString, '--zk-chroot', '/wharf'];
  const env = { WHARF_HOME: join(dir.path, 'home') };

  const dry = await runCli([...args, '--dry-run', '--json'], env, 30_000);
  expect(dry.code).toBe(0);
  // `/`, deployments, d1, plan, pending, proxies, proxy-edge.
  expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, visited: 7, secured: 7, alreadySecure: 0 });
  await proxy.set('/deployments/d1', '{"by":"proxy again"}', -1); // a dry run changes nothing

  const run = await runCli(args, env, 30_000);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('/wharf: 7 nodes, secured 7 (0 without a writer entry), 0 already secure');

  await expect(proxy.set('/deployments/d1', '{"by":"evil"}', -1)).rejects.toMatchObject({
    code: 'WHARF_ZK_NO_AUTH',
  });
  await expect(proxy.set('/proxies/proxy-edge', '{"stats":1}', -1)).resolves.toBeDefined();

  const again = await runCli([...args, '--json'], env, 30_000);
  expect(JSON.parse(again.stdout)).toMatchObject({ visited: 7, secured: 0, alreadySecure: 7, denied: 0 });
});
