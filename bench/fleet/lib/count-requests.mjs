// Preloaded into the constructor (`node --import`, bench `--count-requests`): counts the requests
// its ZooKeeper client sends, by operation, and writes them as JSON to $WHARF_BENCH_REQUEST_COUNTS
// at exit and every few seconds. A bench instrument only: it wraps node-zookeeper-client's
// ConnectionManager.queue (every request of every session passes there) and changes nothing else.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
  const loop = () => ({
    maxMs: Math.round(delay.max / 1e6),
    p99Ms: Math.round(delay.percentile(99) / 1e6),
    meanMs: Math.round(delay.mean / 1e6),
  });
  const flush = () => writeFileSync(out, JSON.stringify({ ...counts, byPath, loop: loop() }));
  process.on('exit', flush);
  setInterval(flush, FLUSH_EVERY_MS).unref();
}
