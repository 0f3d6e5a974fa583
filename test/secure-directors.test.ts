/**
 * End to end with three directors in secure mode (`wharf up --directors 3 --secure`): each
 * director's ZooKeeper member serves its clients on a TLS-only port (client certificates from the
 * installation CA required) and speaks TLS to the other members (`sslQuorum`); the joining
 * members were added by reconfiguration over TLS, and every service connects with its own
 * certificate to the three servers. A client without a certificate gets no answer from any
 * member; the members' election ports complete a TLS handshake only with a certificate of the
 * CA. The ZooKeeper leader is SIGKILLed right after a deployment's plan is written: writes resume
 * within seconds (the figure is printed), that plan completes and its deployment serves; after
 * `wharf down` and `wharf up` the same TLS ensemble serves every deployment again.
 */
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { readTlsCredentials } from '@wharf/pki';
import { freePorts } from '@wharf/testkit';
import { ZkSession, fourLetterWord, probeZooKeeper, readEnsembleConfig, type ZkTlsOptions } from '@wharf/zk';
import { memberJvm, secondsUntilWritesAfterKill } from './helpers/ensemble';
import { startPlatform, type Platform } from './helpers/platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(180_000);

/** How long a completed handshake must stay unrefused to count as accepted (a TLS 1.3 server checks the client's certificate after the client's side completes). */
const HANDSHAKE_SETTLE_MS = 500;

const HOSTS = ['host-1', 'host-2', 'host-3'];
const address = (hostId: string) => `127.0.0.${hostId.slice(-1)}`;

/** Opens TLS to `host:port`: 'accepted' when the handshake completes and the server keeps the connection. */
function handshake(
  options: ConnectionOptions,
): Promise<{ outcome: 'accepted' | 'refused'; subject?: string }> {
  return new Promise((resolve) => {
    let subject: string | undefined;
    const socket = tlsConnect({ ...options, minVersion: 'TLSv1.2' });
    const done = (outcome: 'accepted' | 'refused') => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, ...(subject === undefined ? {} : { subject }) });
    };
    const timer = setTimeout(() => done('refused'), 10_000);
    socket.on('secureConnect', () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      subject = Array.isArray(cn) ? cn.join(',') : cn;
      setTimeout(() => done('accepted'), HANDSHAKE_SETTLE_MS);
    });
    socket.on('error', () => done('refused'));
    socket.on('close', () => done('refused'));
  });
}

describe('three directors run a mutual-TLS ZooKeeper ensemble (wharf up --directors 3 --secure)', () => {
  let platform: Platform;
  let zkPort: number;
  let electionPort: number;
  let session: ZkSession | undefined;
  const others: ZkSession[] = [];
  const connectString = () => HOSTS.map((h) => `${address(h)}:${zkPort}`).join(',');
  const certificate = (hostId: string, service: string): Promise<ZkTlsOptions> =>
    readTlsCredentials(join(platform.home, 'hosts', hostId, 'tls', service));

  beforeAll(async () => {
    const [quorum, election] = await freePorts(2);
    electionPort = election!;
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
  }, 160_000);

  afterAll(async () => {
    await Promise.all([session, ...others].map((s) => s?.close().catch(() => undefined)));
    await platform?.down();
  });

  it('every member serves TLS only: no answer without a certificate, the three members with one', async () => {
    const tls = await certificate('host-1', 'runner');
    for (const hostId of HOSTS) {
      const member = `${address(hostId)}:${zkPort}`;
      // The port takes the connection (TLS) but a plaintext word gets nothing back.
      expect((await fourLetterWord(address(hostId), zkPort, 'ruok', 2000)) ?? '').toBe('');
      expect(await probeZooKeeper(member, 2000)).toBe(false);
      expect(await probeZooKeeper(member, 2000, tls)).toBe(true);
    }
    const bare = new ZkSession({ connectString: connectString(), connectTimeoutMs: 3000 });
    await expect(bare.start()).rejects.toThrow();
    await bare.close();
    const config = await readEnsembleConfig(connectString(), tls);
    expect(config.servers.map((s) => `${s.id} ${s.host}`)).toEqual(
      HOSTS.map((h, i) => `${i + 1} ${address(h)}`),
    );
    const services = await platform.services();
    expect(services.some((s) => s.service === 'zookeeper')).toBe(false);
    expect(services.filter((s) => s.service === 'director')).toHaveLength(3);
    // The directors check their quorum over TLS too: status sees one leader and two followers.
    const status = await platform.cli(['status']);
    const modes = [...status.stdout.matchAll(/^\s+127\.0\.0\.\d:\d+: (leader|follower)/gm)].map((m) => m[1]);
    expect(modes.sort()).toEqual(['follower', 'follower', 'leader']);
    expect(status.stdout).toContain('Wharf is healthy.');
  });

  it('quorum traffic is TLS: each election port completes a handshake only with a certificate of the CA', async () => {
    // Host 1's member certificate, from host 1's address (the members verify each other's names).
    const member = await readTlsCredentials(join(platform.home, 'hosts', 'host-1', 'zookeeper-tls'));
    for (const hostId of HOSTS) {
      const at = { host: address(hostId), port: electionPort, localAddress: '127.0.0.1', ca: member.ca };
      const withCert = await handshake({ ...at, cert: member.cert, key: member.key });
      expect(withCert).toEqual({ outcome: 'accepted', subject: hostId });
      expect((await handshake(at)).outcome).toBe('refused');
    }
  });

  it('keeps serving when the ZooKeeper leader is killed right after a plan is written', async () => {
    const before = await platform.api('POST', '/deployments', etcdPlan('secure-before', 1));
    expect(before.status).toBe(201);
    expect((await waitForPlan(platform, before.body.id)).status).toBe('success');
    await etcdPutViaProxy(platform, before.body.id, 'kept', 'yes');

    const probe = await certificate('host-1', 'runner');
    const modes = await Promise.all(
      HOSTS.map(
        async (h) =>
          /Mode: (\w+)/.exec((await fourLetterWord(address(h), zkPort, 'srvr', 2000, probe)) ?? '')?.[1],
      ),
    );
    const leaderHost = HOSTS[modes.indexOf('leader')]!;
    const { pid: leader } = await memberJvm(platform.home, leaderHost);
    // A director certificate is the members' x509 super user: it may write anywhere.
    session = new ZkSession({ connectString: connectString(), tls: await certificate('host-1', 'director') });
    await session.start();

    const created = await platform.api('POST', '/deployments', etcdPlan('secure-after', 1));
    expect(created.status).toBe(201);
    const seconds = await secondsUntilWritesAfterKill(session, leader);
    process.stdout.write(
      `secure directors ensemble: leader (${leaderHost}) SIGKILL → ZooKeeper writes (over TLS) again in ${seconds} s\n`,
    );

    expect((await waitForPlan(platform, created.body.id)).status).toBe('success');
    await etcdPutViaProxy(platform, created.body.id, 'new', 'served', platform.proxyPorts[1]);
    expect((await etcdGetViaProxy(platform, created.body.id, 'new')).value).toBe('served');
    expect((await etcdGetViaProxy(platform, before.body.id, 'kept')).value).toBe('yes');

    // Every director is the members' super user (a role-wide x509 id), not only the CA host's:
    // host 2's director may write a deployment, which only api and constructor certificates may.
    const path = `/deployments/${created.body.id}`;
    const as = async (service: string) => {
      const s = new ZkSession({
        connectString: connectString(),
        chroot: '/wharf',
        tls: await certificate('host-2', service),
      });
      others.push(s);
      await s.start();
      return s;
    };
    const proxy = await as('proxy');
    const node = await proxy.get(path);
    await expect(proxy.set(path, node.data, node.stat.version)).rejects.toMatchObject({
      code: 'WHARF_ZK_NO_AUTH',
    });
    await expect((await as('director')).set(path, node.data, node.stat.version)).resolves.toBeDefined();

    // Its director restarts the killed server, which rejoins (over TLS) as a follower.
    await eventually(
      async () => {
        const srvr = await fourLetterWord(address(leaderHost), zkPort, 'srvr', 1000, probe);
        return /Mode: follower/.test(srvr ?? '') ? true : undefined;
      },
      60_000,
      'the killed member back as a follower',
      250,
    );
  });

  it('comes back from wharf down with the same TLS ensemble and every deployment', async () => {
    const before = JSON.stringify((await platform.api('GET', '/deployments')).body);
    expect((await platform.cli(['down'])).code).toBe(0);
    await platform.up(); // the three members start at once from the membership each last wrote
    const config = await readEnsembleConfig(connectString(), await certificate('host-2', 'runner'));
    expect(config.servers.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(await probeZooKeeper(`127.0.0.2:${zkPort}`, 2000)).toBe(false);
    const after = JSON.stringify((await platform.api('GET', '/deployments')).body);
    for (const id of before.match(/"id":"[^"]+"/g) ?? []) expect(after).toContain(id);
  });
});
