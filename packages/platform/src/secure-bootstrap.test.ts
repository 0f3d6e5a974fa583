import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa, inspectCertificate, readTlsCredentials } from '@wharf/pki';
import { type SimulatedHost } from './host-plan';
import { caHost, prepareSecureInstall } from './secure-bootstrap';

jest.setTimeout(30_000);

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

  it('puts the CA with the first director, or host-1 when none has the role', () => {
    expect(caHost(hosts).id).toBe('host-1');
    expect(caHost([hosts[1]!, { ...hosts[0]!, roles: ['proxy'] }]).id).toBe('host-2');
  });
});
