#!/usr/bin/env node
// detection: how fast a dead constructor leader is replaced and a dead allocator's live node goes,
// with the real binaries against an embedded ZooKeeper ticking at 500 ms (as `wharf up`'s, so a
// session is granted 1-10 s), before (the sessions' old 15 s timeout, granted 10 s) and after (the
// new short dedicated sessions: WHARF_LEADER_SESSION_TIMEOUT_MS, WHARF_LIVENESS_SESSION_TIMEOUT_MS).
//   - failover: two `wharf-constructor`s; SIGKILL the leader; until the standby's /health says leading.
//   - live loss: one `wharf-allocator` (process runtime); SIGKILL; until its live node is gone.
//   - false alarms: SIGSTOP the leader / the allocator for --stops ms (e.g. 1000,2000) then SIGCONT:
//     did the standby take over? was the live node gone, and for how long (a flip needs > the 1 s grace)?
// Runs are alternated before/after so drift on a shared box hits both alike; medians printed.
//   node bench/detection.mjs [--runs 5] [--stops 1000,2000,3000] [--stop-runs 3]   (--runs 0: stops only)
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, quantile, sleep } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { paths, parseDocument } = require('@wharf/model');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    stops: { type: 'string', default: '1000,2000,3000' },
    'stop-runs': { type: 'string', default: '3' },
  },
});
const STOP_RUNS = Number(values['stop-runs']);
const RUNS = Number(values.runs);
const STOPS = values.stops.split(',').map(Number);
const CONSTRUCTOR = join(import.meta.dirname, '..', 'services', 'constructor', 'dist', 'main.js');
const ALLOCATOR = join(import.meta.dirname, '..', 'services', 'allocator', 'dist', 'main.js');
/** What the latch and the live node used before: the main session's 15 s (granted 10 s at this tick). */
const BEFORE = { WHARF_LEADER_SESSION_TIMEOUT_MS: '15000', WHARF_LIVENESS_SESSION_TIMEOUT_MS: '15000' };
const AFTER = {};

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-detection-'));
const zkPort = await freePort();
const server = new EmbeddedZooKeeper({ dataDir: join(dir, 'zk'), port: zkPort, tickTimeMs: 500 });
await server.start();
const connectString = `127.0.0.1:${zkPort}`;
const zk = new ZkSession({ connectString, chroot: '' });
await zk.start();
let chrootSeq = 0;
const children = new Set();

function start(main, env) {
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      WHARF_ZK: connectString,
      WHARF_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  children.add(child);
  void exited.then(() => children.delete(child));
  return { child, exited };
}

async function until(fn, timeoutMs = 60_000, intervalMs = 20) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(intervalMs);
  }
}

async function constructorState(chroot, id) {
  const node = await zk.get(`${chroot}${paths.serviceLive('constructor', id)}`);
  const { port } = parseDocument('service-registration', node.data);
  const body = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
  return body.checks?.constructor?.detail;
}

/** Two constructors on a fresh chroot; returns them once c-a leads and c-b stands by. */
async function constructorPair(config) {
  const chroot = `/bench-${++chrootSeq}`;
  const env = (id) => ({ ...config, WHARF_ZK_CHROOT: chroot, WHARF_ID: id });
  const a = start(CONSTRUCTOR, env('c-a'));
  await until(async () => (await constructorState(chroot, 'c-a')) === 'leading');
  const b = start(CONSTRUCTOR, env('c-b'));
  await until(async () => (await constructorState(chroot, 'c-b')) === 'standby');
  return { chroot, a, b };
}

async function failover(config) {
  const { chroot, a, b } = await constructorPair(config);
  const t0 = Date.now();
  a.child.kill('SIGKILL');
  await until(async () => (await constructorState(chroot, 'c-b')) === 'leading');
  const took = Date.now() - t0;
  b.child.kill('SIGKILL');
  await b.exited;
  return took;
}

async function allocator(config) {
  const chroot = `/bench-${++chrootSeq}`;
  const live = `${chroot}${paths.allocatorLive('alloc-1')}`;
  const from = 40_000 + (chrootSeq % 200) * 100;
  const proc = start(ALLOCATOR, {
    ...config,
    WHARF_ZK_CHROOT: chroot,
    WHARF_ID: 'alloc-1',
    WHARF_HOME: join(dir, `home-${chrootSeq}`),
    WHARF_RUNTIME: 'process',
    WHARF_CAPACITY_MB: '1024',
    WHARF_PORT_RANGE: `${from}-${from + 99}`,
  });
  // Fully started (the service registration comes after `live`), then a moment to settle: a
  // connection loss in the middle of start-up makes the allocator exit, which is another story.
  await until(
    async () => (await zk.exists(`${chroot}${paths.serviceLive('allocator', 'alloc-1')}`)) !== null,
  );
  await sleep(500);
  return { ...proc, live };
}

async function liveLoss(config) {
  const { child, exited, live } = await allocator(config);
  const t0 = Date.now();
  child.kill('SIGKILL');
  await exited;
  await until(async () => (await zk.exists(live)) === null);
  return Date.now() - t0;
}

/** SIGSTOP the leader for `ms`: did the standby take over within 5 s after SIGCONT? */
async function leaderStop(ms) {
  const { chroot, a, b } = await constructorPair(AFTER);
  a.child.kill('SIGSTOP');
  await sleep(ms);
  a.child.kill('SIGCONT');
  let tookOver = false;
  const end = Date.now() + 5_000;
  while (Date.now() < end && !tookOver) {
    tookOver = (await constructorState(chroot, 'c-b').catch(() => undefined)) === 'leading';
    await sleep(50);
  }
  for (const p of [a, b]) p.child.kill('SIGKILL');
  await Promise.all([a.exited, b.exited]);
  return tookOver;
}

/** SIGSTOP the allocator for `ms`: longest stretch its live node was absent, over 8 s. */
async function allocatorStop(ms) {
  const { child, exited, live } = await allocator(AFTER);
  child.kill('SIGSTOP');
  const t0 = Date.now();
  let goneSince;
  let longest = 0;
  let resumed = false;
  while (Date.now() - t0 < ms + 8_000) {
    if (!resumed && Date.now() - t0 >= ms) {
      child.kill('SIGCONT');
      resumed = true;
    }
    const stat = await zk.exists(live).then(
      (st) => st,
      () => undefined, // the observer's own read failed: no verdict this round
    );
    if (stat === undefined) continue;
    const present = stat !== null;
    const now = Date.now();
    if (!present) goneSince ??= now;
    else if (goneSince !== undefined) {
      longest = Math.max(longest, now - goneSince);
      goneSince = undefined;
    }
    await sleep(20);
  }
  if (goneSince !== undefined) longest = Math.max(longest, Date.now() - goneSince);
  child.kill('SIGKILL');
  await exited;
  return longest;
}

const fmt = (xs) =>
  `median ${(quantile(xs, 0.5) / 1000).toFixed(2)} s (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)}, n=${xs.length})`;

try {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results = { failover: { before: [], after: [] }, live: { before: [], after: [] } };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, config] of [
      ['before', BEFORE],
      ['after', AFTER],
    ]) {
      results.failover[name].push(await failover(config));
      results.live[name].push(await liveLoss(config));
    }
  }
  for (const name of RUNS > 0 ? ['before', 'after'] : []) {
    console.log(`constructor failover after SIGKILL, ${name}: ${fmt(results.failover[name])}`);
    console.log(`allocator live node gone after SIGKILL, ${name}: ${fmt(results.live[name])}`);
  }
  for (const ms of STOPS) {
    const takeovers = [];
    const gone = [];
    for (let i = 0; i < STOP_RUNS; i++) {
      takeovers.push(await leaderStop(ms));
      gone.push(await allocatorStop(ms));
    }
    console.log(
      `leader SIGSTOP ${ms} ms: standby took over in ${takeovers.filter(Boolean).length}/${STOP_RUNS} runs`,
    );
    console.log(
      `allocator SIGSTOP ${ms} ms: live node absent (s, per run): ${gone.map((g) => (g / 1000).toFixed(2)).join(', ')}`,
    );
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await zk.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
