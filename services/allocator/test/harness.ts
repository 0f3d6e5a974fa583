/**
 * Integration harness: a real ZooKeeper session (testkit), a real ProcessRuntime in a temp
 * WHARF_HOME, and allocators built the way `main.ts` builds them, with short intervals so each
 * test finishes in seconds. Every process started through it is killed in `cleanup()`.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type InstanceSpec,
  type InstanceStatus,
  isWharfError,
  parseDocument,
  paths,
  serializeDocument,
} from '@wharf/model';
import { createLogger, createMetrics, nullLogger } from '@wharf/observability';
import { type ContainerInfo, ProcessRuntime } from '@wharf/runtime';
import { type TempDir, tempDir, waitFor, isProcessAlive } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { type Allocator, type AllocatorOptions, type StackCatalog, createAllocator } from '../src/index';
import { specFixture } from './fixtures';

/** A tiny HTTP server: `node server.js <host> <port>`; answers 200 on every path. */
export const HTTP_SERVER_SCRIPT = `
const http = require('node:http');
const [host, port] = process.argv.slice(2);
http.createServer((req, res) => res.end(JSON.stringify({ ok: true, pid: process.pid }))).listen(Number(port), host);
process.on('SIGTERM', () => process.exit(0));
`;

/** Options every test allocator shares: fast probes, ticks and back-off. */
export const FAST: Partial<AllocatorOptions> = {
  capacityMb: 4096,
  cpus: 2,
  probeIntervalMs: 150,
  probeTimeoutMs: 1000,
  tickIntervalMs: 500,
  backoffBaseMs: 200,
  backoffMaxMs: 2000,
  stopTimeoutMs: 2000,
};

/** A port block unlikely to collide with parallel test files. */
export function randomPortRange(): { from: number; to: number } {
  const from = 40_000 + Math.floor(Math.random() * 200) * 50;
  return { from, to: from + 49 };
}

/** One allocator with its runtime. */
export interface Running {
  allocator: Allocator;
  /** The allocator's own session. */
  zk: ZkSession;
  runtime: ProcessRuntime;
  /** Closes the allocator and the runtime (instances keep running). */
  close(): Promise<void>;
}

/** Starts an allocator over a fresh ProcessRuntime on `home`. */
export async function startAllocator(
  zk: ZkSession,
  stacks: StackCatalog,
  options: Partial<AllocatorOptions> & { id: string; home: string },
): Promise<Running> {
  const runtime = new ProcessRuntime({
    rootDir: join(options.home, 'allocators', options.id, 'runtime'),
    watchIntervalMs: 100,
  });
  const allocator = createAllocator({
    zk,
    runtime,
    stacks,
    logger: process.env.ALLOCATOR_TEST_LOG
      ? createLogger({ service: 'allocator', level: 'debug' })
      : nullLogger,
    metrics: createMetrics('allocator'),
    config: { ...FAST, ...options },
  });
  await allocator.start();
  return {
    allocator,
    zk,
    runtime,
    close: async () => {
      await allocator.close();
      await runtime.close();
    },
  };
}

/** Writes the http server script into `dir`; returns its path. */
export async function writeServerScript(dir: string): Promise<string> {
  const path = join(dir, 'server.js');
  await writeFile(path, HTTP_SERVER_SCRIPT);
  return path;
}

/** Creates or replaces a spec. */
export async function putSpec(zk: ZkSession, spec: InstanceSpec): Promise<void> {
  const path = paths.instanceSpec(spec.allocator_id, spec.instance_id);
  await zk.mkdirp(paths.allocatorInstances(spec.allocator_id));
  const data = serializeDocument('instance-spec', spec);
  try {
    await zk.create(path, data);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
    await zk.set(path, data, -1);
  }
}

/** Reads a status (undefined when missing). */
export async function readStatus(
  zk: ZkSession,
  allocator: string,
  instance: string,
): Promise<InstanceStatus | undefined> {
  try {
    return parseDocument('instance-status', (await zk.get(paths.instanceStatus(allocator, instance))).data);
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
    throw err;
  }
}

/** Whether `pid` runs (a zombie does not). */
export const pidAlive = isProcessAlive;

/**
 * Waits until the status of `instance` on `allocator` satisfies `accept`, and returns it
 * (`waitFor`'s timeout and message).
 */
export function statusWhen(
  zk: ZkSession,
  allocator: string,
  instance: string,
  accept: (status: InstanceStatus) => boolean,
  options: { timeoutMs?: number; message: string },
): Promise<InstanceStatus> {
  return waitFor(async () => {
    const status = await readStatus(zk, allocator, instance);
    return status && accept(status) ? status : undefined;
  }, options);
}

/** The runtime container of an instance. */
export async function containerOf(
  runtime: ProcessRuntime,
  instance: string,
): Promise<ContainerInfo | undefined> {
  return (await runtime.list({ 'wharf.instance': instance }))[0];
}

/** An http spec for `allocator` whose command runs `script` (see {@link HTTP_SERVER_SCRIPT}). */
export function httpSpec(
  allocator: string,
  instance: string,
  script: string,
  overrides: Partial<InstanceSpec> = {},
): InstanceSpec {
  return specFixture({
    allocator_id: allocator,
    instance_id: instance,
    deployment_id: 'd1',
    stack: 'http',
    version: '1',
    settings: { command: [process.execPath, script, '{{host}}', '{{port}}'] },
    ...overrides,
  });
}

/** Plain GET on `host:port`; resolves the status code (0 on a connection error). */
export async function httpGet(port: number, host = '127.0.0.1'): Promise<number> {
  try {
    const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(1000) });
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}

/** Pids of live processes whose command line mentions `text` (e.g. a test's temp WHARF_HOME). */
export async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * After a test: shuts the allocator down with its instances, SIGKILLs whatever it left (pids it
 * ran are added to `pids`) and every process still mentioning `home`. Returns those strays: a
 * test that leaves any behind should fail.
 */
export async function reap(running: Running | undefined, pids: Set<number>, home: string): Promise<number[]> {
  if (running) {
    for (const c of await running.runtime.list().catch(() => [])) if (c.pid) pids.add(c.pid);
    await running.allocator.shutdown({ stopInstances: true }).catch(() => undefined);
    await running.runtime.close().catch(() => undefined);
  }
  for (const pid of pids) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  const stray = await processesMentioning(home);
  for (const pid of stray) process.kill(pid, 'SIGKILL');
  return stray;
}

/** What {@link useAllocatorHome} gives a test: valid from its `beforeEach` on. */
export interface AllocatorHome {
  /** This test's home directory. */
  readonly path: string;
  /** Pids the test saw; none may be alive after the file. */
  readonly pids: Set<number>;
  /** Starts allocator `id` (process runtime, stack catalog, a random port range) in this home. */
  start(id: string, stacks: StackCatalog): Promise<Running>;
}

/**
 * Hooks for tests of one allocator with real instance processes: a fresh home per test; after
 * each, the allocator and its instances stopped and no process left mentioning the home; after
 * the file, none of the pids the tests recorded alive.
 */
export function useAllocatorHome(zkf: { session(): Promise<ZkSession> }, prefix: string): AllocatorHome {
  let home: TempDir | undefined;
  let running: Running | undefined;
  const pids = new Set<number>();
  beforeEach(async () => {
    home = await tempDir(prefix);
  });
  afterEach(async () => {
    const stray = await reap(running, pids, home!.path);
    running = undefined;
    await home!.cleanup();
    expect(stray).toEqual([]);
  });
  afterAll(() => {
    expect([...pids].filter(pidAlive)).toEqual([]);
  });
  return {
    get path() {
      return home!.path;
    },
    pids,
    start: async (id, stacks) => {
      running = await startAllocator(await zkf.session(), stacks, {
        id,
        home: home!.path,
        portRange: randomPortRange(),
      });
      return running;
    },
  };
}
