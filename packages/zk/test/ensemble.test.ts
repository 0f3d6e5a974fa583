import { freePorts, useTempDir, waitFor } from '@wharf/testkit';
import {
  EmbeddedZooKeeper,
  ZkSession,
  ensembleConnectString,
  fourLetterWord,
  parseEnsembleConfig,
  reconfigureEnsemble,
  type EnsembleServer,
} from '@wharf/zk';

/*
 * A real three-server ensemble grown one server at a time by dynamic reconfiguration (as directors
 * join), its leader SIGKILLed under a client, and a member removed again. Ports come from the
 * testkit; each JVM is one of ours, killed in afterAll.
 */

const SUPER_PASSWORD = 'test-super-password';
const tmp = useTempDir('wharf-ensemble');
const servers: EmbeddedZooKeeper[] = [];
const sessions: ZkSession[] = [];

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.kill()));
});

let ports: number[] = [];
beforeAll(async () => {
  ports = await freePorts(9); // one call, so no port is handed out twice
});

function member(id: number): EnsembleServer {
  const [quorumPort, electionPort, clientPort] = ports.slice((id - 1) * 3, id * 3);
  return {
    id,
    host: '127.0.0.1',
    quorumPort: quorumPort!,
    electionPort: electionPort!,
    clientPort: clientPort!,
  };
}

async function startMember(
  self: EnsembleServer,
  current: readonly EnsembleServer[],
): Promise<EmbeddedZooKeeper> {
  const server = new EmbeddedZooKeeper({
    dataDir: `${tmp.path}/zk-${self.id}`,
    port: self.clientPort,
    ensemble: { myId: self.id, servers: [...current, self], superPassword: SUPER_PASSWORD },
  });
  servers.push(server);
  await server.start();
  return server;
}

async function openSession(connectString: string): Promise<ZkSession> {
  // The root chroot: `/zookeeper/config` lies outside Wharf's `/wharf`.
  const session = new ZkSession({
    connectString,
    chroot: '/',
    sessionTimeoutMs: 6_000,
    operationTimeoutMs: 3_000,
  });
  sessions.push(session);
  await session.start();
  return session;
}

async function mode(server: EmbeddedZooKeeper): Promise<string | null> {
  const srvr = await fourLetterWord(server.host, server.port, 'srvr', 1000);
  return /Mode: (\w+)/.exec(srvr ?? '')?.[1] ?? null;
}

describe('ZooKeeper ensemble with dynamic reconfiguration', () => {
  const members: EnsembleServer[] = [];

  test('a quorum of one grows to three by reconfig -add, one server at a time', async () => {
    members.push(member(1));
    await startMember(members[0]!, []);
    expect(await mode(servers[0]!)).toBe('leader'); // never standalone: it can grow
    const first = await openSession(members[0]!.host + ':' + members[0]!.clientPort);
    await first.create('/before-growth', 'kept');

    for (const id of [2, 3]) {
      const joining = member(id);
      await startMember(joining, members);
      const config = await reconfigureEnsemble({
        connectString: ensembleConnectString(members),
        add: [joining],
        superPassword: SUPER_PASSWORD,
      });
      members.push(joining);
      expect(config.servers.map((s) => s.id)).toEqual(members.map((s) => s.id));
    }
    const seen = parseEnsembleConfig((await first.get('/zookeeper/config')).data.toString());
    expect(seen.servers).toEqual(members.map((m) => ({ ...m, role: 'participant' })));
    const modes = await Promise.all(servers.map(mode));
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
  }, 120_000);

  test('a reconfiguration without the super user is refused and changes nothing', async () => {
    await expect(
      reconfigureEnsemble({
        connectString: ensembleConnectString(members),
        remove: [3],
        superPassword: 'wrong',
      }),
    ).rejects.toMatchObject({ code: 'WHARF_ZK_ERROR' });
    const session = await openSession(ensembleConnectString(members));
    const config = parseEnsembleConfig((await session.get('/zookeeper/config')).data.toString());
    expect(config.servers.map((s) => s.id)).toEqual([1, 2, 3]);
  }, 60_000);

  test('SIGKILL of the leader: writes resume on the new leader, nothing acknowledged is lost', async () => {
    const session = await openSession(ensembleConnectString(members));
    for (let i = 0; i < 20; i += 1) await session.create(`/acked-${i}`, `${i}`);
    const leader = (await Promise.all(servers.map(mode))).indexOf('leader');
    const killedAt = Date.now();
    await servers[leader]!.kill();
    let attempt = 0;
    await waitFor(
      async () => {
        attempt += 1;
        return session.create(`/after-kill-${attempt}`, 'x').then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 30_000, intervalMs: 50, message: 'a write after the leader kill' },
    );
    const seconds = (Date.now() - killedAt) / 1000;
    process.stdout.write(`ensemble: leader SIGKILL → writes succeed again in ${seconds.toFixed(2)} s\n`);
    for (let i = 0; i < 20; i += 1) expect((await session.get(`/acked-${i}`)).data.toString()).toBe(`${i}`);
    expect((await session.get('/before-growth')).data.toString()).toBe('kept');

    // The killed server returns with its data and rejoins as a follower of the new leader.
    await servers[leader]!.start();
    await waitFor(async () => (await mode(servers[leader]!)) === 'follower', {
      timeoutMs: 30_000,
      message: 'the old leader back as a follower',
    });
  }, 120_000);

  test('reconfig -remove takes a member out; the rest keep serving', async () => {
    const removed = members[2]!;
    const config = await reconfigureEnsemble({
      connectString: ensembleConnectString(members),
      remove: [removed.id],
      superPassword: SUPER_PASSWORD,
    });
    expect(config.servers.map((s) => s.id)).toEqual([1, 2]);
    await servers[2]!.stop();
    const session = await openSession(ensembleConnectString(members.slice(0, 2)));
    await session.create('/after-remove', 'ok');
    expect((await session.get('/acked-0')).data.toString()).toBe('0');
  }, 60_000);
});
