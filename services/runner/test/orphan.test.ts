/**
 * A pid file left by a crashed runner: the next runner stops that process only while the pid is
 * still the process recorded (same start time, running the entry point), never a stranger that
 * inherited the pid.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { identify, isProcessAlive, waitUntil } from '@wharf/supervise';
import { type TempDir, tempDir } from '@wharf/testkit';
import { stopOrphan } from '../src';

jest.setTimeout(20_000);

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('wharf-runner-orphan');
});
afterEach(async () => {
  await dir.cleanup();
});

const ENTRY = '/srv/wharf/services/allocator/dist/main.js';

/** A detached process whose command line names ENTRY, as an orphaned service's would. */
async function orphan(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ENTRY], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  await waitUntil(() => identify(child.pid!) !== undefined, 5000);
  return child.pid!;
}

test('stops the recorded process, and only when its start time and entry point still match', async () => {
  const pid = await orphan();
  const startTime = identify(pid)!.startTime!;
  const pidFile = join(dir.path, 'allocator-h1.pid');
  try {
    await writeFile(pidFile, JSON.stringify({ pid, start_time: startTime - 1, entry: ENTRY }));
    expect(await stopOrphan(pidFile, ENTRY)).toBe('none');
    await writeFile(pidFile, JSON.stringify({ pid, start_time: startTime, entry: ENTRY }));
    expect(await stopOrphan(pidFile, '/srv/wharf/services/proxy/dist/main.js')).toBe('none');
    expect(isProcessAlive(pid)).toBe(true);

    expect(await stopOrphan(pidFile, ENTRY)).toBe('stopped');
    expect(isProcessAlive(pid)).toBe(false);
  } finally {
    if (isProcessAlive(pid)) process.kill(-pid, 'SIGKILL');
  }
});

test('a missing or malformed pid file is nothing to stop', async () => {
  expect(await stopOrphan(join(dir.path, 'none.pid'), ENTRY)).toBe('none');
  await writeFile(join(dir.path, 'bad.pid'), '{"pid": 1}');
  expect(await stopOrphan(join(dir.path, 'bad.pid'), ENTRY)).toBe('none');
});
