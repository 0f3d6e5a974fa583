import { nullLogger } from '@wharf/observability';
import { freePorts, useTempDir, waitFor } from '@wharf/testkit';
import {
  ZkSession,
  ensembleConnectString,
  fourLetterWord,
  readEnsembleConfig,
  type EnsembleServer,
} from '@wharf/zk';
import { ZooKeeperMember } from '../src';

/*
 * Three directors' ZooKeeper servers (real JVMs): the first bootstraps a quorum of one, two more
 * join through the running ensemble, the leader is SIGKILLed under a client, is restarted by its
 * member and comes back as a follower with its membership, and a director leaves again.
 */

const SUPER = 'ensemble-test-super';
const tmp = useTempDir('wharf-director-zk');
const members: ZooKeeperMember[] = [];
const sessions: ZkSession[] = [];

let selves: EnsembleServer[] = [];

beforeAll(async () => {
  const ports = await freePorts(9);
  selves = [1, 2, 3].map((id) => ({
    id,
    host: '127.0.0.1',
    clientPort: ports[(id - 1) * 3]!,
    quorumPort: ports[(id - 1) * 3 + 1]!,
    electionPort: ports[(id - 1) * 3 + 2]!,
  }));
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  await Promise.all(members.map((m) => m.stop()));
});

async function mode(m: ZooKeeperMember): Promise<string | null> {
  const [host, port] = m.connectString.split(':');
  const srvr = await fourLetterWord(host!, Number(port), 'srvr', 1000);
  return /Mode: (\w+)/.exec(srvr ?? '')?.[1] ?? null;
}

describe('directors keep the ZooKeeper ensemble', () => {
  test('the first director bootstraps; the next two join through the running ensemble', async () => {
    for (const self of selves) {
      const member = new ZooKeeperMember({
        dataDir: `${tmp.path}/zk-${self.id}`,
        self,
        ...(members.length === 0 ? {} : { join: ensembleConnectString(selves.slice(0, members.length)) }),
        superPassword: SUPER,
        logger: nullLogger,
      });
      members.push(member);
      const config = await member.start();
      expect(config.servers.map((s) => s.id)).toEqual(selves.slice(0, members.length).map((s) => s.id));
    }
    const config = await readEnsembleConfig(members[2]!.connectString);
    expect(config.servers.map((s) => s.id)).toEqual([1, 2, 3]);
    const modes = await Promise.all(members.map(mode));
    expect(modes.sort()).toEqual(['follower', 'follower', 'leader']);
  }, 120_000);

  test('leader SIGKILL: writes resume, acknowledged data is kept, its director restarts it as a follower', async () => {
    const session = new ZkSession({
      connectString: ensembleConnectString(selves),
      sessionTimeoutMs: 6_000,
      operationTimeoutMs: 3_000,
    });
    sessions.push(session);
    await session.start();
    await session.mkdirp('/plans');
    for (let i = 0; i < 10; i += 1) await session.create(`/plans/p-${i}`, `${i}`);
    const leader = members[(await Promise.all(members.map(mode))).indexOf('leader')]!;
    const killedAt = Date.now();
    await leader.server!.kill();
    let n = 0;
    await waitFor(() => session.create(`/plans/after-${(n += 1)}`, 'x').then(() => true), {
      timeoutMs: 30_000,
      intervalMs: 50,
      message: 'a write after the leader kill',
    });
    process.stdout.write(
      `director ensemble: leader SIGKILL → writes again in ${(Date.now() - killedAt) / 1000} s\n`,
    );
    expect((await session.children('/plans')).filter((c) => c.startsWith('p-'))).toHaveLength(10);

    // Nobody restarts it but its member (keep-alive); its data dir holds the membership it last wrote.
    await waitFor(async () => (await mode(leader)) === 'follower', {
      timeoutMs: 30_000,
      message: 'rejoined',
    });
    expect((await readEnsembleConfig(leader.connectString)).servers.map((s) => s.id)).toEqual([1, 2, 3]);
  }, 120_000);

  test('a leaving director is removed by the others and the ensemble keeps serving', async () => {
    const config = await members[2]!.leave();
    expect(config.servers.map((s) => s.id)).toEqual([1, 2]);
    expect(members[2]!.server!.state).toBe('stopped');
    const remaining = await readEnsembleConfig(ensembleConnectString(selves.slice(0, 2)));
    expect(remaining.servers.map((s) => s.id)).toEqual([1, 2]);
  }, 60_000);
});
