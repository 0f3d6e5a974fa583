/**
 * The real `wharf-allocator` binary holds its live node on a short dedicated session: SIGKILLed
 * (its host dies), the node goes ~3 s later (WHARF_LIVENESS_SESSION_TIMEOUT_MS), not after the
 * main session's timeout. The ZooKeeper ticks at 500 ms like `wharf up`'s embedded one, so the
 * main session (15 s asked) is granted 10 s, as in production. Prints the measured figure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { paths } from '@wharf/model';
import { useZooKeeper, waitFor, useTempDir } from '@wharf/testkit';
import { randomPortRange } from './harness';

jest.setTimeout(60_000);

const MAIN = resolve(__dirname, '..', 'dist', 'main.js');
/** The main session's granted timeout at a 500 ms tick: the old path could not fire before it. */
const MAIN_SESSION_MS = 10_000;
const zkf = useZooKeeper({ tickTimeMs: 500 });
const home = useTempDir('wharf-allocator-liveness');
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

test('a SIGKILLed allocator loses its live node within seconds, before its main session could expire', async () => {
  const zk = await zkf.session();
  const range = randomPortRange();
  child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      WHARF_ID: 'alloc-live',
      WHARF_HOME: home.path,
      WHARF_ZK: zkf.connectString,
      WHARF_ZK_CHROOT: zkf.chroot,
      WHARF_PORT_RANGE: `${range.from}-${range.to}`,
      WHARF_CAPACITY_MB: '1024',
      WHARF_LOG_LEVEL: 'warn',
      WHARF_RUNTIME: 'process',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise<void>((done) => child!.once('exit', () => done()));
  const live = paths.allocatorLive('alloc-live');
  await waitFor(async () => (await zk.exists(live)) !== null, { timeoutMs: 20_000, message: 'live node' });

  const killedAt = Date.now();
  child.kill('SIGKILL');
  await exited;
  await waitFor(async () => (await zk.exists(live)) === null, {
    timeoutMs: MAIN_SESSION_MS + 10_000,
    intervalMs: 25,
    message: 'live node gone',
  });
  const took = Date.now() - killedAt;
  process.stdout.write(`allocator live node gone after SIGKILL: ${(took / 1000).toFixed(2)} s\n`);
  expect(took).toBeLessThan(MAIN_SESSION_MS);
});
