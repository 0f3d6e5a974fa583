/**
 * Runs the built `wharf` command (`dist/bin.js`) as a user would, and reads what it leaves behind.
 * Shared by the integration tests that start whole platforms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type PlatformRecord, parsePlatformRecord } from '@wharf/cli';
import { isProcessAlive, runCommand } from '@wharf/testkit';

/** The built CLI. */
export const CLI = resolve(__dirname, '..', 'dist', 'bin.js');
/** The fake service copied under a services root by {@link writeFakeServices}. */
export const FAKE_SERVICE = resolve(__dirname, 'fixtures', 'fake-service.js');

/** Output of a finished CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `wharf <args>` with `env` added to this process's environment. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], { env, timeoutMs, name: `wharf ${args.join(' ')}` });
}

/** Spawns `wharf <args>` with piped output (for attached runs the test signals itself). */
export function startCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** platform.json of `home`, or undefined. */
export async function readPlatform(home: string): Promise<PlatformRecord | undefined> {
  try {
    return parsePlatformRecord(await readFile(join(home, 'run', 'platform.json'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** True while `pid` runs (zombies count as gone). */
export const alive = isProcessAlive;

/** Every pid platform.json lists, the supervisor's included. */
export function allPids(record: PlatformRecord): number[] {
  return [record.supervisor_pid, ...record.services.map((s) => s.pid)];
}

/** Creates `<root>/<service>/dist/main.js` fakes for every service; `overrides` replace some with other scripts. */
export async function writeFakeServices(root: string, overrides: Record<string, string> = {}): Promise<void> {
  for (const service of ['api', 'constructor', 'allocator', 'proxy', 'director']) {
    await mkdir(join(root, service, 'dist'), { recursive: true });
    // Object.hasOwn: `overrides.constructor` would otherwise be Object's own constructor.
    const source = Object.hasOwn(overrides, service) ? overrides[service]! : FAKE_SERVICE;
    await copyFile(source, join(root, service, 'dist', 'main.js'));
  }
}

/** A random block of allocator ports below the kernel's ephemeral range, so parallel runs rarely collide. */
export function randomPortBase(): number {
  return 20_000 + Math.floor(Math.random() * 90) * 100;
}

/**
 * What the default layout runs: 3 runners, the services of their hosts' roles, and host-1's
 * director, which the supervisor runs itself because it owns ZooKeeper (no `zookeeper` record).
 */
export const DEFAULT_IDS = [
  'runner-host-1',
  'runner-host-2',
  'runner-host-3',
  'director-host-1',
  'api-host-1',
  'api-host-2',
  'constructor-host-1',
  'constructor-host-2',
  'allocator-host-1',
  'allocator-host-2',
  'allocator-host-3',
  'proxy-host-1',
  'proxy-host-2',
].sort();

/** The same layout with `--directors 0`: no director, `wharf up`'s own ZooKeeper. */
export const NO_DIRECTOR_IDS = ['zookeeper', ...DEFAULT_IDS.filter((id) => id !== 'director-host-1')].sort();
