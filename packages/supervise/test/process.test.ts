/**
 * Real processes: a detached child with a grandchild, stopped as a group; a recorded identity
 * that no longer matches is left alone; a supervised process restarted after a crash; a real
 * HTTP server probed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SupervisedChild,
  freePort,
  groupMembers,
  identify,
  isPortFree,
  isProcessAlive,
  isSameProcess,
  launchProcess,
  probeHttp,
  spawnDetached,
  stopProcessGroup,
  waitHealthy,
  waitUntil,
} from '../src';

jest.setTimeout(30_000);

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-supervise-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A node process that prints its pid, starts a grandchild in its group, and ignores SIGTERM when told. */
const SCRIPT = `
const { spawn } = require('node:child_process');
if (process.argv.includes('stubborn')) process.on('SIGTERM', () => {});
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log(JSON.stringify({ pid: process.pid, grandchild: grandchild.pid }));
setInterval(() => {}, 1000);
`;

async function started(logFile: string): Promise<{ pid: number; grandchild: number }> {
  let line = '';
  for (let i = 0; i < 200 && !line; i++) {
    line = (await readFile(logFile, 'utf8').catch(() => '')).split('\n')[0] ?? '';
    if (!line) await new Promise((r) => setTimeout(r, 25));
  }
  return JSON.parse(line) as { pid: number; grandchild: number };
}

async function waitFor(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met in 5 s');
}

function spawnScript(mode: string, logFile: string) {
  return spawnDetached({ command: process.execPath, args: ['-e', SCRIPT, mode], env: process.env, logFile });
}

test('a group stop reaches the grandchild; a stubborn leader gets SIGKILL after the grace', async () => {
  const polite = spawnScript('polite', join(dir, 'polite.log'));
  const p = await started(join(dir, 'polite.log'));
  expect(groupMembers(p.pid).sort()).toEqual([p.pid, p.grandchild].sort());
  expect(await stopProcessGroup(p.pid, { graceMs: 5000, exited: polite.hasExited })).toBe('terminated');
  expect(isProcessAlive(p.grandchild)).toBe(false);

  const stubborn = spawnScript('stubborn', join(dir, 'stubborn.log'));
  const s = await started(join(dir, 'stubborn.log'));
  const t0 = Date.now();
  expect(await stopProcessGroup(s.pid, { graceMs: 300, exited: stubborn.hasExited })).toBe('killed');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  expect(isProcessAlive(s.pid)).toBe(false);
  expect(isProcessAlive(s.grandchild)).toBe(false);
  expect((await stubborn.exited).signal).toBe('SIGKILL');
});

test('a recorded identity with another start time is never signalled', async () => {
  const proc = spawnScript('polite', join(dir, 'p.log'));
  const p = await started(join(dir, 'p.log'));
  const identity = identify(p.pid)!;
  expect(identity.startTime).toBeGreaterThan(0);
  expect(isSameProcess(identity)).toBe(true);
  const recycled = { pid: p.pid, startTime: identity.startTime! - 1 };
  expect(isSameProcess(recycled)).toBe(false);
  expect(await stopProcessGroup(p.pid, { graceMs: 1000, identity: recycled })).toBe('not-running');
  expect(isProcessAlive(p.pid)).toBe(true);
  expect(await stopProcessGroup(p.pid, { graceMs: 5000, identity })).toBe('terminated');
  await proc.exited;
  expect(isProcessAlive(p.grandchild)).toBe(false);
});

test('a supervised process is restarted after it crashes, and stopped for good', async () => {
  const logFile = join(dir, 'crash.log');
  const child = new SupervisedChild({
    name: 'crasher',
    logger: quiet,
    policy: { baseMs: 50, maxMs: 100 },
    launch: async () =>
      launchProcess({
        command: process.execPath,
        args: ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'],
        env: process.env,
        logFile,
      }),
  });
  child.start();
  const logged = async (pid: number | undefined) =>
    pid !== undefined && (await readFile(logFile, 'utf8').catch(() => '')).includes(String(pid));
  await waitFor(() => logged(child.pid));
  const first = child.pid!;
  process.kill(first, 'SIGKILL');
  expect(await waitUntil(() => child.pid !== undefined && child.pid !== first, 5000)).toBe(true);
  expect(child.restarts).toBe(1);
  const second = child.pid!;
  await waitFor(() => logged(second));
  expect(await child.stop(2000)).toBe('terminated');
  expect(isProcessAlive(second)).toBe(false);
  expect((await readFile(logFile, 'utf8')).trim().split('\n')).toEqual([String(first), String(second)]);
});

test('probes a real server: healthy on 200 only; waits until it is', async () => {
  const port = await freePort();
  expect(await isPortFree(port)).toBe(true);
  expect((await probeHttp(`http://127.0.0.1:${port}/health`, 500)).detail).toBe('ECONNREFUSED');
  let status = 503;
  const server = createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    expect(await isPortFree(port)).toBe(false);
    expect(await probeHttp(`http://127.0.0.1:${port}/health`)).toEqual({ ok: false, detail: '503' });
    setTimeout(() => (status = 200), 200);
    const result = await waitHealthy(`http://127.0.0.1:${port}/health`, { timeoutMs: 5000, intervalMs: 50 });
    expect(result).toEqual({ ok: true, detail: '200' });
    status = 500;
    const t0 = Date.now();
    expect((await waitHealthy(`http://127.0.0.1:${port}/`, { timeoutMs: 200, intervalMs: 50 })).ok).toBe(
      false,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  } finally {
    server.close();
  }
});
