/**
 * The leader latch in a worker thread (`src/leader/worker-latch.ts`) against a real ZooKeeper: it
 * keeps the lead through a main-thread stall longer than its session timeout (a latch on the main
 * thread, measured beside it, loses it), gives it up when the main thread stays silent past its
 * limit, close() hands the lead over at once, and a thread that dies is reported.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { LeaderLatch } from '@wharf/zk';
import { WorkerLeaderLatch } from '../src/leader/worker-latch';

jest.setTimeout(60_000);

/** The compiled worker entry (the integration suites run against a build, like the e2e ones). */
const WORKER = join(__dirname, '../dist/leader/latch-worker.js');
/** The constructor's default leader session timeout. */
const SESSION_TIMEOUT_MS = 2_000;
/** A stall well past the session timeout: a latch whose pings wait for it loses its session. */
const STALL_MS = 3_500;

const fixture = useZooKeeper();

function workerLatch(
  path: string,
  id: string,
  overrides: Partial<ConstructorParameters<typeof WorkerLeaderLatch>[0]> = {},
): WorkerLeaderLatch {
  return new WorkerLeaderLatch({
    connectString: fixture.connectString,
    chroot: fixture.chroot,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    latchPath: path,
    id,
    logLevel: 'error',
    logger: nullLogger,
    workerPath: WORKER,
    ...overrides,
  });
}

/** Blocks this thread (a scheduler busy with a burst of plans does the same, shorter). */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

describe('WorkerLeaderLatch', () => {
  const latches: { close(): Promise<void> }[] = [];

  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`build first: ${WORKER} is missing (npx tsc -b tsconfig.json)`);
  });

  afterEach(async () => {
    for (const latch of latches.splice(0)) await latch.close();
  });

  it('keeps the lead through a main-thread stall past its session timeout; a main-thread latch loses it', async () => {
    const inWorker = workerLatch('/constructors/leader', 'w');
    latches.push(inWorker);
    let workerLost = 0;
    inWorker.on('notLeader', () => workerLost++);
    const session = await fixture.session({ sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const onMain = new LeaderLatch(session, '/test/main-thread-leader', 'm');
    latches.push(onMain);
    let mainLost = 0;
    onMain.on('notLeader', () => mainLost++);
    await Promise.all([inWorker.start(), onMain.start()]);
    await waitFor(() => inWorker.isLeader() && onMain.isLeader(), { message: 'both lead' });

    stall(STALL_MS);
    await waitFor(() => mainLost > 0, {
      timeoutMs: 10_000,
      message: 'the main-thread latch noticed its stall',
    });

    expect(workerLost).toBe(0);
    expect(inWorker.isLeader()).toBe(true);
    const session2 = await fixture.session();
    expect(await session2.children('/constructors/leader')).toHaveLength(1);
  });

  it('gives the lead up when the main thread stays silent past its limit (a hung scheduler must not lead)', async () => {
    const exits: number[] = [];
    const latch = workerLatch('/constructors/leader', 'h', {
      mainStallLimitMs: 1_500,
      onUnexpectedExit: (code) => exits.push(code),
    });
    latches.push(latch);
    await latch.start();
    await waitFor(() => latch.isLeader(), { message: 'h leads' });

    stall(STALL_MS); // past the 1.5 s limit: the worker hears no `alive` and leaves the election
    await waitFor(() => exits.length > 0, { timeoutMs: 10_000, message: 'the worker gave up and ended' });

    expect(latch.isLeader()).toBe(false);
    const session = await fixture.session();
    expect(await session.children('/constructors/leader')).toHaveLength(0);
  });

  it('a worker that ends on its own: leadership dropped and reported, so main.ts can exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-latch-worker-'));
    try {
      // Stands in for a latch thread that crashes after it led.
      const script = join(dir, 'dies.js');
      writeFileSync(
        script,
        [
          "const { parentPort } = require('node:worker_threads');",
          "parentPort.postMessage({ type: 'started' });",
          "parentPort.postMessage({ type: 'leader', leader: true });",
          'setTimeout(() => process.exit(3), 200);',
        ].join('\n'),
      );
      const exits: number[] = [];
      const latch = workerLatch('/constructors/leader', 'x', {
        workerPath: script,
        onUnexpectedExit: (code) => exits.push(code),
      });
      latches.push(latch);
      let lost = 0;
      latch.on('notLeader', () => lost++);
      await latch.start();
      await waitFor(() => exits.length > 0, { message: 'exit reported' });

      expect(exits).toEqual([3]);
      expect(lost).toBe(1);
      expect(latch.isLeader()).toBe(false);
      await latch.close(); // idempotent after the thread is gone
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close() deletes its latch node: the next contender leads at once, not after a session timeout', async () => {
    const first = workerLatch('/constructors/leader', 'a');
    const second = workerLatch('/constructors/leader', 'b');
    latches.push(first, second);
    await first.start();
    await waitFor(() => first.isLeader(), { message: 'a leads' });
    await second.start();
    expect(second.isLeader()).toBe(false);

    const closedAt = Date.now();
    await first.close();
    await waitFor(() => second.isLeader(), { timeoutMs: 10_000, message: 'b leads' });

    expect(Date.now() - closedAt).toBeLessThan(SESSION_TIMEOUT_MS);
    expect(first.state).toBe('closed');
    expect(first.isLeader()).toBe(false);
  });
});
