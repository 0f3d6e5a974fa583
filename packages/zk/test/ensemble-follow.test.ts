import { freePorts, recordingLogger, useTempDir, waitFor } from '@wharf/testkit';
import { ZkSession, type EnsembleServer } from '@wharf/zk';
import { TestEnsemble } from './ensemble-helpers';

/*
 * A session started with ONLY member 1's address follows the ensemble as it grows to three
 * (`/zookeeper/config`, read outside the `/wharf` chroot), so when member 1 is SIGKILLed the same
 * session reconnects to member 2 or 3 and writes again. A second session, identical but with
 * `followEnsemble: false`, is the control: it stays pinned to member 1 and does not recover.
 */

const tmp = useTempDir('wharf-ensemble-follow');
const sessions: ZkSession[] = [];
const logger = recordingLogger();
let ensemble: TestEnsemble;

beforeAll(async () => {
  ensemble = new TestEnsemble(await freePorts(9), () => tmp.path);
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  await ensemble.killAll();
});

/**
 * 10 s: outlives the election among members 2 and 3 after the leader dies (3–8 s on the loaded
 * 2-core box), so the session survives it; the server clamps it to ≤ 20 ticks of 500 ms.
 */
const SESSION_TIMEOUT_MS = 10_000;

async function openSession(connectString: string, followEnsemble: boolean): Promise<ZkSession> {
  const session = new ZkSession({
    connectString,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    operationTimeoutMs: 3_000,
    followEnsemble,
    ...(followEnsemble ? { logger } : {}),
  });
  sessions.push(session);
  await session.start();
  return session;
}

const addresses = (session: ZkSession): string[] => session.servers.map((s) => `${s.host}:${s.port}`).sort();

describe('a session follows the ensemble membership', () => {
  const members: EnsembleServer[] = [];
  let following: ZkSession;
  let pinned: ZkSession;

  test('opened on member 1 alone, it learns members 2 and 3 as they join', async () => {
    members.push(ensemble.member(1));
    await ensemble.startMember(members[0]!, []);
    const one = `${members[0]!.host}:${members[0]!.clientPort}`;
    following = await openSession(one, true);
    pinned = await openSession(one, false);
    const seen: string[] = [];
    await following.addRecursiveWatch('/', (event) => seen.push(event.path));
    await following.create('/before-growth', 'kept'); // the chroot /wharf: data lives under it

    await ensemble.join(2, members);
    await ensemble.join(3, members);
    const all = members.map((m) => `${m.host}:${m.clientPort}`).sort();
    await waitFor(() => addresses(following).join(',') === all.join(','), {
      timeoutMs: 10_000,
      message: 'the following session’s list has all three members',
    });
    expect(logger.messages('zookeeper server list changed').length).toBeGreaterThanOrEqual(1);
    expect(addresses(pinned)).toEqual([one]);
    // The config watch's notifications (outside the chroot) reach no watcher inside it.
    expect(seen).toContain('/before-growth');
    expect(seen.filter((path) => path.includes('zookeeper'))).toEqual([]);
  }, 60_000);

  test('member 1 SIGKILLed: the same session writes through 2 or 3; the pinned one does not recover', async () => {
    const sessionId = following.sessionId;
    expect(sessionId).not.toBeNull();
    const killedAt = Date.now();
    await ensemble.servers[0]!.kill();
    let attempt = 0;
    await waitFor(
      async () => {
        attempt += 1;
        return following.create(`/after-kill-${attempt}`, 'x').then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 30_000, intervalMs: 50, message: 'a write through the following session' },
    );
    const seconds = (Date.now() - killedAt) / 1000;
    process.stdout.write(
      `ensemble-follow: member 1 SIGKILL → same session writes in ${seconds.toFixed(2)} s\n`,
    );
    expect(following.sessionId).toBe(sessionId);
    expect(following.sessionCount).toBe(1);
    expect((await following.get('/before-growth')).data.toString()).toBe('kept');

    // The control, one operation timeout (3 s) later: still nothing to connect to but member 1.
    await expect(pinned.create('/pinned-after-kill', 'x')).rejects.toMatchObject({
      code: 'WHARF_ZK_CONNECTION_LOSS',
    });
    expect(pinned.state).not.toBe('connected');
  }, 60_000);
});
