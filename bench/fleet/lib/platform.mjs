// The real pieces a fleet scenario runs against: an embedded ZooKeeper (its own data dir and
// port), the real constructor as a child process (`services/constructor/dist/main.js`, optionally
// with `--cpu-prof`), and readings of both: `mntr` (znodes, data size, watches) and the
// constructor's CPU time and RSS from /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, sleep } from '../../lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession, fourLetterWord } = require('@wharf/zk');
const { ROOT_PATHS } = require('@wharf/model');

const ROOT = resolve(import.meta.dirname, '../../..');
export const CONSTRUCTOR_MAIN = join(ROOT, 'services/constructor/dist/main.js');
/** The installation's chroot, as the services default to. */
export const CHROOT = '/wharf';
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux x86-64). */
const USER_HZ = 100;

/** Starts ZooKeeper in a temp dir; returns { connectString, port, close, mntr }. */
export async function startZooKeeper() {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-fleet-zk-'));
  const port = await freePort();
  const server = new EmbeddedZooKeeper({
    dataDir: dir,
    port,
    startTimeoutMs: 60_000,
  });
  await server.start();
  return {
    connectString: server.connectString,
    port,
    dir,
    /** The JVM's { cpuMs, rssMb, hwmMb } now (it shares the cores with everything else). */
    usage: () => processUsage(server.pid),
    /** `mntr` as a map of key → number (or string). */
    async mntr() {
      const reply = await fourLetterWord('127.0.0.1', port, 'mntr', 5000);
      const out = {};
      for (const line of (reply ?? '').split('\n')) {
        const [k, v] = line.split('\t');
        if (k && v !== undefined) out[k] = Number.isNaN(Number(v)) ? v : Number(v);
      }
      return out;
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A started session on the installation's chroot, with its root layout created. */
export async function bootstrap(connectString) {
  const zk = new ZkSession({
    connectString,
    chroot: CHROOT,
    sessionTimeoutMs: 30_000,
    operationTimeoutMs: 30_000,
  });
  await zk.start();
  for (const p of ROOT_PATHS) await zk.mkdirp(p);
  return zk;
}

/** Constructor log messages the bench counts (leadership churn: each suspension of the leader session ends a term). */
const COUNTED_MESSAGES = new Set([
  'zookeeper connection suspended',
  'leader latch waiting for connection',
  'tree cache waiting for connection',
  'scheduler failed to start',
]);

/**
 * Starts the real constructor as a child process; resolves once it leads. Its log (stdout, level
 * warn) is read: errors are passed to stderr, the messages in COUNTED_MESSAGES counted by session
 * (`logCounts()`).
 * `leaderTimeoutMs` sets WHARF_LEADER_SESSION_TIMEOUT_MS; `requestCounts` preloads
 * `count-requests.mjs` writing the client's request counts to that file; `nodeOptions` becomes
 * the constructor's NODE_OPTIONS (the bench's own NODE_OPTIONS otherwise, usually none).
 */
export async function startConstructor({
  connectString,
  zk,
  graceMs,
  cpuProfDir,
  groupCommit = false,
  leaderTimeoutMs,
  requestCounts,
  nodeOptions,
}) {
  const args = [
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    ...(requestCounts ? ['--import', join(import.meta.dirname, 'count-requests.mjs')] : []),
    CONSTRUCTOR_MAIN,
  ];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      WHARF_ZK: connectString,
      WHARF_ZK_CHROOT: CHROOT,
      WHARF_LOG_LEVEL: 'warn',
      WHARF_ID: 'bench-constructor',
      WHARF_ALLOCATOR_LOSS_GRACE_MS: String(graceMs),
      WHARF_CONSTRUCTOR_GROUP_COMMIT: groupCommit ? 'on' : 'off',
      ...(leaderTimeoutMs ? { WHARF_LEADER_SESSION_TIMEOUT_MS: String(leaderTimeoutMs) } : {}),
      ...(requestCounts ? { WHARF_BENCH_REQUEST_COUNTS: requestCounts } : {}),
      ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs = {};
  createInterface({ input: child.stdout }).on('line', (line) => {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.level === 'error') process.stderr.write(`constructor: ${line}\n`);
    if (!COUNTED_MESSAGES.has(entry.message)) return;
    const key = `${entry.message}${entry.session ? ` (${entry.session} session)` : ''}`;
    logs[key] = (logs[key] ?? 0) + 1;
  });
  const exited = new Promise((res) => child.once('exit', res));
  for (let i = 0; i < 600; i++) {
    if ((await zk.children('/constructors/leader').catch(() => [])).length > 0) break;
    await sleep(100);
  }
  return {
    pid: child.pid,
    /** { cpuMs, rssMb, hwmMb } now. */
    usage: () => processUsage(child.pid),
    /** Counted log messages so far, by message (and session). */
    logCounts: () => ({ ...logs }),
    /** The request counts `count-requests.mjs` wrote (after stop()), or undefined. */
    requestCounts: () => {
      if (!requestCounts) return undefined;
      try {
        return JSON.parse(readFileSync(requestCounts, 'utf8'));
      } catch {
        return undefined;
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU time (user + system) and RSS of a process, from /proc. */
export function processUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14, stime 15 (1-based) → indexes 11 and 12 here.
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuMs, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}
