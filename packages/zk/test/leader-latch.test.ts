import { useZooKeeper, waitFor } from '@wharf/testkit';
import { LeaderLatch, expireSession, type ZkSession } from '@wharf/zk';

const zk = useZooKeeper();

interface Contender {
  session: ZkSession;
  latch: LeaderLatch;
}

const timers: NodeJS.Timeout[] = [];
afterEach(() => timers.splice(0).forEach(clearInterval));

async function contenders(n: number): Promise<{ all: Contender[]; overlaps: () => number }> {
  const all: Contender[] = [];
  let overlaps = 0;
  const check = (): void => {
    if (all.filter((c) => c.latch.isLeader()).length > 1) overlaps++;
  };
  for (let i = 0; i < n; i++) {
    const session = await zk.session();
    const latch = new LeaderLatch(session, '/constructors/leader', `c${i}`);
    latch.on('isLeader', check);
    all.push({ session, latch });
    await latch.start(); // in order: c0 first in line, then c1, c2
  }
  timers.push(setInterval(check, 5));
  return { all, overlaps: () => overlaps };
}

function leaders(all: Contender[]): string[] {
  return all.filter((c) => c.latch.isLeader()).map((c) => c.latch.id);
}

describe('LeaderLatch', () => {
  test('hands over in line order when the leader session closes; one leader at a time', async () => {
    const { all, overlaps } = await contenders(3);
    const [c0, c1, c2] = all as [Contender, Contender, Contender];
    await waitFor(() => c0.latch.isLeader(), { message: 'c0 leads' });
    expect(leaders(all)).toEqual(['c0']);
    const participants = await c1.latch.participants();
    expect(participants.map((p) => [p.id, p.isLeader])).toEqual([
      ['c0', true],
      ['c1', false],
      ['c2', false],
    ]);

    await c0.session.close();
    await waitFor(() => c1.latch.isLeader(), { message: 'c1 takes over' });
    expect(leaders(all)).toEqual(['c1']);

    await c1.session.close();
    await waitFor(() => c2.latch.isLeader(), { message: 'c2 takes over' });
    expect(leaders(all)).toEqual(['c2']);
    expect(overlaps()).toBe(0);
    await c2.latch.close();
    expect(c2.latch.isLeader()).toBe(false);
    expect(await c2.session.children('/constructors/leader')).toEqual([]);
  });

  test('close() hands leadership to the next contender', async () => {
    const { all } = await contenders(2);
    const [c0, c1] = all as [Contender, Contender];
    await waitFor(() => c0.latch.isLeader());
    const notLeader = new Promise<void>((resolve) => c0.latch.on('notLeader', resolve));
    await c0.latch.close();
    await notLeader;
    await waitFor(() => c1.latch.isLeader(), { message: 'c1 takes over' });
  });

  test('leadership is dropped when the session expires and re-contended after the rebuild', async () => {
    const { all } = await contenders(2);
    const [c0, c1] = all as [Contender, Contender];
    await waitFor(() => c0.latch.isLeader());
    const dropped = new Promise<void>((resolve) => c0.latch.on('notLeader', resolve));
    await expireSession(c0.session);
    await dropped;
    await waitFor(() => c1.latch.isLeader(), { message: 'c1 takes over' });
    // c0 is back in line (a new node for the new session), behind c1.
    await waitFor(async () => (await c1.latch.participants()).length === 2, { message: 'c0 re-entered' });
    const line = await c1.latch.participants();
    expect(line.map((p) => p.id)).toEqual(['c1', 'c0']);
    expect(c0.latch.isLeader()).toBe(false);
  }, 15_000);

  test('leadership is dropped while the connection is suspended', async () => {
    const session = await zk.session({ sessionTimeoutMs: 3000 });
    const latch = new LeaderLatch(session, '/leader', 'solo');
    await latch.start();
    await waitFor(() => latch.isLeader());
    await zk.zk.freeze();
    try {
      await waitFor(() => !latch.isLeader(), { timeoutMs: 4000, message: 'leadership dropped' });
      expect(session.state).toBe('suspended');
    } finally {
      zk.zk.thaw();
    }
    await waitFor(() => latch.isLeader(), { timeoutMs: 8000, message: 'leader again after reconnect' });
  }, 15_000);
});
