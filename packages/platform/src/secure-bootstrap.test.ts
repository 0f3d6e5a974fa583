import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, inspectCertificate, readTlsCredentials } from '@wharf/pki';
import { type SimulatedHost } from './host-plan';
import { API_HTTPS_DIR, caHost, prepareSecureInstall } from './secure-bootstrap';

// RSA key generation (a 3072-bit CA, a 2048-bit key per certificate): seconds each on a loaded 2-core box.
jest.setTimeout(120_000);

const hosts: SimulatedHost[] = [
  { id: 'host-1', address: '127.0.0.1', zone: 'zone-a', roles: ['coordinator', 'proxy', 'director'] },
  { id: 'host-2', address: '127.0.0.2', zone: 'zone-b', roles: ['allocator'] },
];

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'wharf-secure-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('prepareSecureInstall', () => {
  it('makes the CA on the director host and one certificate per service of each host, keys 0600', async () => {
    const secure = await prepareSecureInstall(home, hosts);
    expect((await stat(join(home, 'hosts', 'host-1', 'ca', 'ca.key'))).mode & 0o777).toBe(0o600);
    const expected: Record<string, string[]> = {
      'host-1': ['runner', 'director', 'api', 'constructor', 'proxy'],
      'host-2': ['runner', 'allocator'],
    };
    for (const [host, services] of Object.entries(expected)) {
      for (const service of services) {
        const dir = join(secure.tlsDir(host), service);
        const credentials = await readTlsCredentials(dir);
        expect(secure.ca.verify(credentials.cert).x509Id).toBe(`CN=${host},OU=${service},O=Wharf`);
        expect((await stat(join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
      }
    }
    await expect(readTlsCredentials(join(secure.tlsDir('host-2'), 'proxy'))).rejects.toThrow();
    // ZooKeeper's certificate names every simulated host's address; the director is its super user.
    expect(inspectCertificate(secure.zookeeper.cert).sans.ips).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(secure.zookeeper.superUser).toBe('CN=host-1,OU=director,O=Wharf');
  });

  it('gives each ensemble member a peer certificate naming its own address only', async () => {
    const directors = hosts.map((h) => ({ ...h, roles: [...h.roles, 'director' as const] }));
    const secure = await prepareSecureInstall(home, directors, { ensemble: true });
    for (const host of hosts) {
      const member = await readTlsCredentials(secure.memberTlsDir(host.id));
      expect(secure.ca.verify(member.cert).x509Id).toBe(`CN=${host.id},OU=zookeeper,O=Wharf`);
      expect(inspectCertificate(member.cert).sans).toMatchObject({ dns: ['localhost'], ips: [host.address] });
    }
    await expect(
      readTlsCredentials(
        (await prepareSecureInstall(await mkdtemp(join(home, 'x-')), hosts)).memberTlsDir('host-1'),
      ),
    ).rejects.toThrow();
  });

  it('keeps valid certificates on a restart and replaces one from another CA', async () => {
    const first = await prepareSecureInstall(home, hosts);
    const apiDir = join(first.tlsDir('host-1'), 'api');
    const api = await readTlsCredentials(apiDir);
    const other = await createRootCa({ commonName: 'Other' });
    const foreign = await other.issue({ profile: 'client', subject: { hostId: 'host-2', role: 'runner' } });
    const runnerDir = join(first.tlsDir('host-2'), 'runner');
    await writeFile(join(runnerDir, 'cert.pem'), foreign.certPem);
    await writeFile(join(runnerDir, 'key.pem'), foreign.keyPem, { mode: 0o600 });

    const second = await prepareSecureInstall(home, hosts);
    expect(second.ca.certPem).toBe(first.ca.certPem);
    expect((await readTlsCredentials(apiDir)).cert).toBe(api.cert);
    const runner = await readTlsCredentials(runnerDir);
    expect(runner.cert).not.toBe(foreign.certPem);
    expect(second.ca.verify(runner.cert).x509Id).toBe('CN=host-2,OU=runner,O=Wharf');
  });

  it('gives each api host an HTTPS server certificate naming its addresses and the domain, kept until the names change', async () => {
    const apiHosts: SimulatedHost[] = [
      { ...hosts[0]!, apiPort: 12400 },
      { id: 'host-2', address: '127.0.0.2', zone: 'zone-b', roles: ['coordinator'], apiPort: 12400 },
      { ...hosts[1]!, id: 'host-3' },
    ];
    const first = await prepareSecureInstall(home, apiHosts, { domain: 'wharf.example.test' });
    expect(first.caCertFile).toBe(join(home, 'hosts', 'host-1', 'ca', 'ca.pem'));
    const dir = (host: string) => join(first.tlsDir(host), API_HTTPS_DIR);
    for (const host of apiHosts.slice(0, 2)) {
      const https = await readTlsCredentials(dir(host.id));
      // A server certificate (serverAuth, no clientAuth): not an api ZooKeeper identity either.
      const info = first.ca.verify(https.cert, { purpose: 'serverAuth' });
      expect(info).toMatchObject({ profile: 'server', x509Id: `CN=${host.id},OU=api-https,O=Wharf` });
      expect(info.sans).toEqual({
        dns: ['localhost', 'wharf.example.test'],
        ips: [...new Set(['127.0.0.1', host.address])],
      });
      expect((await stat(join(dir(host.id), 'key.pem'))).mode & 0o777).toBe(0o600);
    }
    const before = (await readTlsCredentials(dir('host-2'))).cert;
    await prepareSecureInstall(home, apiHosts, { domain: 'wharf.example.test' });
    expect((await readTlsCredentials(dir('host-2'))).cert).toBe(before);
    await prepareSecureInstall(home, apiHosts, { domain: 'localhost' });
    const renamed = inspectCertificate((await readTlsCredentials(dir('host-2'))).cert);
    expect(renamed.sans).toEqual({ dns: ['localhost'], ips: ['127.0.0.1', '127.0.0.2'] });
    // A host without an api gets none.
    await expect(readTlsCredentials(join(first.tlsDir('host-3'), API_HTTPS_DIR))).rejects.toThrow();
  });

  it('puts the CA with the first director, or host-1 when none has the role', () => {
    expect(caHost(hosts).id).toBe('host-1');
    expect(caHost([hosts[1]!, { ...hosts[0]!, roles: ['proxy'] }]).id).toBe('host-2');
  });
});
