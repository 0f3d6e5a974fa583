// Preloaded into the constructor (`node --import`, bench `--count-requests`): counts the requests
// its ZooKeeper client sends, by operation, and writes them as JSON to $WHARF_BENCH_REQUEST_COUNTS
// at exit and every few seconds. A bench instrument only: it wraps node-zookeeper-client's
// ConnectionManager.queue (every request of every session passes there) and changes nothing else.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** ZooKeeper opcodes (OpCode.java) → the names the bench prints. */
const OPS = {
  1: 'create',
  2: 'delete',
  3: 'exists',
  4: 'getData',
  5: 'setData',
  8: 'getChildren',
  11: 'ping',
  12: 'getChildren2',
  14: 'multi',
  15: 'create2',
  '-11': 'closeSession',
};
/** How often the counts are flushed while the process runs (a SIGKILL still leaves recent ones). */
const FLUSH_EVERY_MS = 5000;

/** Sampling period of the event-loop delay histogram. */
const LOOP_DELAY_RESOLUTION_MS = 20;

/** Period of the stall probe's timer. */
const STALL_TICK_MS = 10;
/** A tick this much late or more is a stall (well above timer jitter, below a suspension's 1.33 s). */
const STALL_MS = 100;
/** GC pauses at least this long are also counted apart (the ones a stall is made of). */
const GC_PAUSE_MS = 30;

/**
 * Splits the event loop's stalls into time the process ran (its CPU, all threads, during the
 * stall) and time it waited for a core: on two shared cores at load 10 a process is descheduled
 * for hundreds of milliseconds, which a delay histogram alone cannot tell from a busy loop.
 */
function stallProbe() {
  const stalls = { count: 0, wallMs: 0, cpuMs: 0, maxMs: 0 };
  const gc = { minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 }, long: { count: 0, ms: 0 } };
  let last = performance.now();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - STALL_TICK_MS;
    if (late >= STALL_MS) {
      const used = process.cpuUsage(cpu);
      stalls.count++;
      stalls.wallMs += now - last;
      stalls.cpuMs += (used.user + used.system) / 1000;
      stalls.maxMs = Math.max(stalls.maxMs, now - last);
    }
    last = now;
    cpu = process.cpuUsage();
  }, STALL_TICK_MS).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // perf_hooks' kinds: 1 minor (scavenge), 2 major (mark-compact), 4 incremental, 8 weak callbacks.
      const kinds = [entry.detail?.kind === 1 ? gc.minor : gc.major];
      if (entry.duration >= GC_PAUSE_MS) kinds.push(gc.long);
      for (const kind of kinds) {
        kind.count++;
        kind.ms += entry.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
  return () => ({
    ...round(stalls),
    gcMinor: round(gc.minor),
    gcMajorOrOther: round(gc.major),
    gcPausesOver30Ms: round(gc.long),
  });
}

/** A path with its ids (segments holding a digit) replaced by `*`: one row per kind of node. */
const shapeOf = (path) =>
  path
    .split('/')
    .map((segment) => (/\d/.test(segment) ? '*' : segment))
    .join('/');

const out = process.env.WHARF_BENCH_REQUEST_COUNTS;
// The main thread only: the leader latch's worker thread (preloaded too) is not counted.
if (out && isMainThread) {
  // The client library of the constructor's workspace (resolved from its dist/main.js).
  const main = process.argv.find((a) => a.endsWith('main.js')) ?? process.cwd();
  // Through the constructor's CommonJS loader: the same module instance its session uses.
  const load = createRequire(main);
  const lib = dirname(load.resolve('node-zookeeper-client'));
  const ConnectionManager = load(join(lib, 'lib', 'ConnectionManager.js'));
  const counts = {};
  const byPath = {};
  const original = ConnectionManager.prototype.queue;
  ConnectionManager.prototype.queue = function queue(request, callback) {
    const type = request.header ? request.header.type : undefined;
    const name = OPS[type] ?? `op${type}`;
    counts[name] = (counts[name] ?? 0) + 1;
    const path = request.payload && typeof request.payload.path === 'string' ? request.payload.path : '';
    if (path !== '') {
      const key = `${name} ${shapeOf(path)}`;
      byPath[key] = (byPath[key] ?? 0) + 1;
    }
    if (type === 14 && request.payload && Array.isArray(request.payload.ops))
      counts['ops in multis'] = (counts['ops in multis'] ?? 0) + request.payload.ops.length;
    return original.call(this, request, callback);
  };
  // Event-loop stalls: a leader session of 2 s is suspended after 1.33 s without a reply, and a
  // reply cannot be read while the loop is busy.
  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  delay.enable();
  const stalls = stallProbe();
  const loop = () => ({
    maxMs: Math.round(delay.max / 1e6),
    p99Ms: Math.round(delay.percentile(99) / 1e6),
    meanMs: Math.round(delay.mean / 1e6),
    stalls: stalls(),
  });
  const flush = () => writeFileSync(out, JSON.stringify({ ...counts, byPath, loop: loop() }));
  process.on('exit', flush);
  setInterval(flush, FLUSH_EVERY_MS).unref();
}
