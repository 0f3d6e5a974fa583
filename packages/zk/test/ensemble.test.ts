import { freePorts, useTempDir, waitFor } from '@wharf/testkit';
import {
  ZkSession,
  ensembleConnectString,
  parseEnsembleConfig,
  reconfigureEnsemble,
  type EnsembleServer,
} from '@wharf/zk';
import { SUPER_PASSWORD, TestEnsemble, serverMode as mode } from './ensemble-helpers';

/*
 * A real three-server ensemble grown one server at a time by dynamic reconfiguration (as directors
 * join), its leader SIGKILLed under a client, and a member removed again. Ports come from the
 * testkit; each JVM is one of ours, killed in afterAll.
 */

const tmp = useTempDir('wharf-ensemble');
const sessions: ZkSession[] = [];
let ensemble: TestEnsemble;
let servers: TestEnsemble['servers'] = [];

beforeAll(async () => {
  // One call, so no port is handed out twice.
  ensemble = new TestEnsemble(await freePorts(9), () => tmp.path);
  servers = ensemble.servers;
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  await ensemble.killAll();
});

function member(id: number): EnsembleServer {
  return ensemble.member(id);
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

describe('ZooKeeper ensemble with dynamic reconfiguration', () => {
  const members: EnsembleServer[] = [];

  test('a quorum of one grows to three by reconfig -add, one server at a time', async () => {
    members.push(member(1));
    await ensemble.startMember(members[0]!, []);
    expect(await mode(servers[0]!)).toBe('leader'); // never standalone: it can grow
    const first = await openSession(members[0]!.host + ':' + members[0]!.clientPort);
    await first.create('/before-growth', 'kept');

    for (const id of [2, 3]) {
      const joining = member(id);
      await ensemble.startMember(joining, members);
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
