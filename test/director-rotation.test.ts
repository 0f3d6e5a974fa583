/**
 * End to end on a TLS ensemble (`wharf up --directors 3 --secure`): `wharf pki rotate --members`
 * re-issues every member's certificate as a rolling restart while a client keeps writing (the
 * failed writes are counted and printed); each member then serves a new serial, no member serves
 * an old one, the ensemble still has its three voters, and the directors' expiry metric carries
 * the new certificates. Then `wharf director remove` takes a live director out over TLS.
 */
import { join } from 'node:path';
import { connect } from 'node:tls';
import { inspectCertificate, readTlsCredentials } from '@wharf/pki';
import { freePorts } from '@wharf/testkit';
import { ZkSession, readEnsembleConfig, type ZkTlsOptions } from '@wharf/zk';
import { memberJvm } from './helpers/ensemble';
import { startPlatform, type Platform } from './helpers/platform';
import { etcdPlan, waitForPlan } from './helpers/plans';
import { ZkWriter } from './helpers/zk-writer';

jest.setTimeout(240_000);

const HOSTS = ['host-1', 'host-2', 'host-3'];
const address = (hostId: string) => `127.0.0.${hostId.slice(-1)}`;

/** Serial (lowercase hex) of the certificate served at `host:port`, null when no handshake. */
function servedSerial(host: string, port: number, tls: ZkTlsOptions): Promise<string | null> {
  return new Promise((done) => {
    const socket = connect({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key, timeout: 5000 });
    const finish = (serial: string | null) => {
      socket.destroy();
      done(serial);
    };
    socket.once('secureConnect', () =>
      finish(socket.getPeerCertificate().serialNumber?.toLowerCase() ?? null),
    );
    socket.once('error', () => finish(null));
    socket.once('timeout', () => finish(null));
  });
}

describe('member certificates of a TLS ensemble: rotation and removal', () => {
  let platform: Platform;
  let zkPort: number;
  let director: ZkTlsOptions;
  const connectString = () => HOSTS.map((h) => `${address(h)}:${zkPort}`).join(',');
  const served = (hostId: string) => servedSerial(address(hostId), zkPort, director);
  const onDisk = async (hostId: string) =>
    inspectCertificate(
      (await readTlsCredentials(join(platform.home, 'hosts', hostId, 'zookeeper-tls'))).cert,
    );

  beforeAll(async () => {
    const [quorum, election] = await freePorts(2);
    platform = await startPlatform({
      upArgs: [
        '--directors',
        '3',
        '--secure',
        '--zk-peer-ports',
        `${quorum},${election}`,
        '--timeout',
        '120',
      ],
      timeoutMs: 150_000,
    });
    zkPort = platform.zkPort;
    // A director certificate is the members' x509 super user: it may write anywhere.
    director = await readTlsCredentials(join(platform.home, 'hosts', 'host-1', 'tls', 'director'));
  }, 160_000);

  afterAll(async () => {
    await platform?.down();
  });

  it('rotates every member certificate, one member at a time, while a client keeps writing', async () => {
    const before = new Map<string, string | null>();
    for (const h of HOSTS) before.set(h, await served(h));
    for (const h of HOSTS) expect(before.get(h)).toBe((await onDisk(h)).serialHex);

    const writer = new ZkWriter(connectString(), 'wharf-e2e-rotation', director);
    await writer.start();
    await new Promise((r) => setTimeout(r, 500));
    const startedAt = Date.now();
    const rotate = await platform.cli(['pki', 'rotate', '--members']);
    const seconds = (Date.now() - startedAt) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const counts = await writer.stop();
    process.stdout.write(
      `pki rotate --members: ${seconds.toFixed(1)} s, writes ok ${counts.ok}, failed ${counts.failed}` +
        `${counts.errors.length > 0 ? ` (${counts.errors.join('; ')})` : ''}\n${rotate.stdout}`,
    );
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toContain('3 member certificate(s) renewed');
    expect(counts.ok).toBeGreaterThan(50);
    // A write in flight when its server restarts fails with CONNECTION_LOSS (the client retries on
    // another member); a handful over three restarts, not a gap of seconds.
    expect(counts.failed).toBeLessThan(counts.ok / 20);

    const old = new Set([...before.values()]);
    for (const h of HOSTS) {
      const now = await served(h);
      expect(now).toBe((await onDisk(h)).serialHex);
      expect(old.has(now)).toBe(false);
    }
    const config = await readEnsembleConfig(connectString(), director);
    expect(config.servers.map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it("shows the members' new certificates in wharf_certificate_expiry_seconds", async () => {
    const zk = new ZkSession({ connectString: connectString(), chroot: '/wharf', tls: director });
    await zk.start();
    const registration = JSON.parse((await zk.get('/services/director/director-host-2')).data.toString());
    await zk.close();
    const url = `http://${String(registration.address)}:${String(registration.port)}/metrics`;
    const metrics = await (await fetch(url)).text();
    const line = /^wharf_certificate_expiry_seconds\{service="zookeeper",cn="host-2"\} (\d+)$/m.exec(metrics);
    expect(line).not.toBeNull();
    const expected = ((await onDisk('host-2')).notAfter.getTime() - Date.now()) / 1000;
    expect(Math.abs(Number(line![1]) - expected)).toBeLessThan(120);
  });

  it('removes a live director from the TLS ensemble', async () => {
    const startedAt = Date.now();
    const removed = await platform.cli(['director', 'remove', 'host-3']);
    process.stdout.write(
      `director remove host-3 (TLS): ${((Date.now() - startedAt) / 1000).toFixed(1)} s (CLI)\n`,
    );
    expect({ code: removed.code, stderr: removed.code === 0 ? '' : removed.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(removed.stdout).toContain('its server has stopped');
    const config = await readEnsembleConfig(connectString(), director);
    expect(config.servers.map((s) => s.id)).toEqual([1, 2]);
    await expect(memberJvm(platform.home, 'host-3')).rejects.toThrow();
    const created = await platform.api('POST', '/deployments', etcdPlan('after-secure-removal', 1));
    expect(created.status).toBe(201);
    expect((await waitForPlan(platform, created.body.id)).status).toBe('success');
  });
});
