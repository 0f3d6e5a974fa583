/**
 * End to end in secure mode: `wharf up --secure` makes the CA and a certificate per service of
 * every host, starts ZooKeeper TLS-only with client certificates required, and every service
 * connects with its own certificate, its nodes created with the ACL of its role. A 3-zone etcd
 * deployment then runs exactly as in plain mode, and ZooKeeper refuses what it must: no
 * certificate, another CA's, a proxy writing a deployment. The api serves HTTPS only, with a
 * certificate from the same CA; `wharf status` and the CLI trust that CA, another CA is refused.
 */
import { stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { createRootCa, readTlsCredentials, verifyCertificateChain } from '@wharf/pki';
import { ZkSession, probeZooKeeper, type ZkTlsOptions } from '@wharf/zk';
import { apiClient, runCli, startPlatform, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);

/** The certificate a TLS server at `host:port` presents (PEM), verified against `ca` by Node too. */
function servedCertificate(host: string, port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca, timeout: 10_000 }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      resolve(`-----BEGIN CERTIFICATE-----\n${raw.toString('base64')}\n-----END CERTIFICATE-----\n`);
    });
    socket.on('timeout', () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
}

describe('the platform in secure mode (wharf up --secure)', () => {
  let platform: Platform;
  let id: string;
  const zk = () => `127.0.0.1:${platform.zkPort}`;
  const certificate = (host: string, service: string): Promise<ZkTlsOptions> =>
    readTlsCredentials(join(platform.home, 'hosts', host, 'tls', service));
  const sessions: ZkSession[] = [];
  const session = async (tls: ZkTlsOptions) => {
    const s = new ZkSession({ connectString: zk(), chroot: '/wharf', tls });
    sessions.push(s);
    await s.start();
    return s;
  };

  beforeAll(async () => {
    platform = await startPlatform({ upArgs: ['--secure', '--timeout', '120'], timeoutMs: 150_000 });
  }, 160_000);

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await platform?.down();
  });

  it('runs a 3-zone etcd deployment served through both proxies; status is healthy over TLS', async () => {
    const created = await platform.api('POST', '/deployments', etcdPlan('secure-orders', 3));
    expect(created.status).toBe(201);
    id = created.body.id;
    expect((await waitForPlan(platform, id)).status).toBe('success');
    await etcdPutViaProxy(platform, id, 'greeting', 'over tls');
    expect((await etcdGetViaProxy(platform, id, 'greeting', platform.proxyPorts[1])).value).toBe('over tls');
    const status = await platform.cli(['status']);
    // The director owns the TLS-only member; status reports it from the director's checks.
    expect(status.stdout).toMatch(/director-host-1\s+director\s+\d+\s+\d+\s+running\s+ok\s/);
    expect(status.stdout).toMatch(/^\s*quorum: healthy, checked \S+$/m);
    expect(status.stdout).toMatch(new RegExp(`^\\s+127\\.0\\.0\\.1:${platform.zkPort}: leader`, 'm'));
    expect(status.stdout).toContain('Wharf is healthy.');
  });

  it('serves the api over HTTPS only, with a certificate from the installation CA on every api host', async () => {
    const port = Number(new URL(platform.apiUrl).port);
    expect(platform.apiUrl).toBe(`https://127.0.0.1:${port}`);
    const ca = platform.apiCa!;
    expect(ca).toBe((await certificate('host-1', 'api')).ca);
    for (const [host, address] of [
      ['host-1', '127.0.0.1'],
      ['host-2', '127.0.0.2'],
    ] as const) {
      const served = await servedCertificate(address, port, ca);
      const info = verifyCertificateChain(served, { trustedPem: ca, purpose: 'serverAuth' });
      expect(info.x509Id).toBe(`CN=${host},OU=api-https,O=Wharf`);
      expect(info.sans.ips).toContain(address);
      const dir = join(platform.home, 'hosts', host, 'tls', 'api-https');
      expect((await stat(join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
    }
    expect((await platform.api('GET', '/health')).status).toBe(200);
    // Plain HTTP to the api's port is not served: the connection is dropped or refused.
    const plain = await fetch(`http://127.0.0.1:${port}/api/v1/health`, {
      signal: AbortSignal.timeout(5000),
    }).then(
      (res) => res.status,
      (err: Error) => err.name,
    );
    expect(plain).not.toBe(200);
    expect(plain).not.toBe('TimeoutError');
  });

  it('wharf status and the CLI use the recorded https URL and CA; another CA is refused with a clear error', async () => {
    const status = await platform.cli(['status']);
    expect(status.stdout).toMatch(/api-host-1\s+api\s+\d+\s+\d+\s+running\s+ok\s/);
    expect(status.stdout).toMatch(/api-host-2\s+api\s+\d+\s+\d+\s+running\s+ok\s/);
    // No WHARF_API: the CLI finds the api URL and its CA in $WHARF_HOME/run/platform.json.
    const env = { WHARF_HOME: platform.home, WHARF_API_KEY: platform.apiKey };
    const list = await runCli(['deployment', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    const other = await createRootCa({ commonName: 'Not Wharf' });
    const otherFile = join(platform.home, 'other-ca.pem');
    await writeFile(otherFile, other.certPem);
    const refused = await runCli(['deployment', 'list', '--ca', otherFile], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('WHARF_PKI_UNTRUSTED');
    expect(refused.stderr).toContain(`not trusted by the CA in ${otherFile}`);
    await expect(
      apiClient(platform.apiUrl, platform.apiKey, other.certPem)('GET', '/health'),
    ).rejects.toMatchObject({
      code: 'WHARF_PKI_UNTRUSTED',
    });
  });

  it('refuses ZooKeeper clients without a certificate of the installation', async () => {
    expect(await probeZooKeeper(zk(), 2000)).toBe(false);
    expect(await probeZooKeeper(zk(), 2000, await certificate('host-1', 'runner'))).toBe(true);
    const other = await createRootCa({ commonName: 'Not Wharf' });
    const foreign = await other.issue({ profile: 'client', subject: { hostId: 'host-1', role: 'api' } });
    const trusting = (await certificate('host-1', 'api')).ca;
    expect(
      await probeZooKeeper(zk(), 2000, { ca: trusting, cert: foreign.certPem, key: foreign.keyPem }),
    ).toBe(false);
  });

  it('gives every node the ACL of its role: a proxy reads a deployment but cannot write it; the api can', async () => {
    const deployment = `/deployments/${id}`;
    const proxy = await session(await certificate('host-2', 'proxy'));
    const node = await proxy.get(deployment);
    await expect(proxy.set(deployment, node.data, node.stat.version)).rejects.toMatchObject({
      code: 'WHARF_ZK_NO_AUTH',
    });
    await expect(proxy.create(`${deployment}/intruder`, '{}')).rejects.toMatchObject({
      code: 'WHARF_ZK_NO_AUTH',
    });
    const acl = await proxy.getAcl(deployment);
    expect(acl.acl.every((entry) => entry.scheme === 'x509')).toBe(true);
    // The api of another host may write it (the role, not the one certificate that created it).
    const api = await session(await certificate('host-2', 'api'));
    const again = await api.get(deployment);
    await expect(api.set(deployment, again.data, again.stat.version)).resolves.toBeDefined();
  });
});
