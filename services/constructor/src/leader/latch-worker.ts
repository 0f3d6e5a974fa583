/**
 * Entry of the leader latch's worker thread (`worker-latch.ts` starts it): its own ZooKeeper
 * session and {@link LeaderLatch}, on an event loop the scheduler's work never blocks. It posts
 * each leadership change to the main thread and closes on request. Like `main.ts` for its thread:
 * the only place here that reads `process.env` (the TLS files, re-read on rotation).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '@wharf/observability';
import { LeaderLatch, ZkSession, zkTlsFromEnv } from '@wharf/zk';
import { type LatchToMain, type LatchWorkerData, type MainToLatch } from './latch-protocol';

/** How often the worker looks at the main thread's last `alive`. */
const STALL_CHECK_MS = 1_000;

async function run(port: NonNullable<typeof parentPort>, data: LatchWorkerData): Promise<void> {
  const post = (message: LatchToMain): void => port.postMessage(message);
  const logger = createLogger({
    service: 'constructor',
    level: data.logLevel,
    context: { id: data.id, session: 'leader' },
  });
  const zk = new ZkSession({
    connectString: data.connectString,
    chroot: data.chroot,
    tls: zkTlsFromEnv(process.env),
    sessionTimeoutMs: data.sessionTimeoutMs,
    logger,
  });
  const latch = new LeaderLatch(zk, data.latchPath, data.id, { logger });
  latch.on('isLeader', () => post({ type: 'leader', leader: true }));
  latch.on('notLeader', () => post({ type: 'leader', leader: false }));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    // Latch node first (the standby takes over at once), then the session; then the thread ends.
    (closing ??= latch
      .close()
      .then(() => zk.close())
      .catch((err: unknown) => logger.warn('leader latch close failed', { err }))
      .finally(() => {
        clearInterval(watchdog);
        post({ type: 'closed' });
        port.close();
      }));
  let lastAlive = Date.now();
  const watchdog = setInterval(() => {
    const silentMs = Date.now() - lastAlive;
    if (silentMs <= data.mainStallLimitMs || closing !== undefined) return;
    logger.error('constructor main thread unresponsive: giving up the lead', { silentMs });
    void close();
  }, STALL_CHECK_MS);
  port.on('message', (message: MainToLatch) => {
    if (message.type === 'alive') lastAlive = Date.now();
    else void close();
  });
  await zk.start();
  await latch.start();
  post({ type: 'started' });
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as LatchWorkerData).catch((err: unknown) => {
    port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  });
}
