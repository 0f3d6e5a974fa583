#!/usr/bin/env node
// Proxy benchmark: the same tiny upstream measured directly and through @wharf/proxy in one run.
//
//   npx tsc -b services/proxy && node bench/proxy.mjs [--duration 10] [--connections 50]
//        [--warmup 2] [--probe-connections 1] [--probe-duration 5] [--workers 1] [--pin] [--json]
//
// Three processes: the upstream and the proxy are forked children, autocannon runs here, so no two
// of them share an event loop. Phase 1 saturates each target with `--connections` keep-alive
// connections for `--duration` s (throughput; autocannon's latency histogram has 1 ms resolution).
// Phase 2 (latency probe) sends requests back to back on `--probe-connections` connections (closed
// loop, default 1) and records every response time with sub-millisecond resolution: the latency
// one proxy hop adds when the proxy is not saturated. (autocannon's `overallRate` is not used:
// it sends each second's quota in a burst, which measures queueing, not the hop.)
// `--workers N` (N > 1) runs the multi-process proxy (`WHARF_PROXY_WORKERS=N`: a primary and N
// workers sharing the listening socket); its CPU figure is the primary's plus the workers'.
// `--pin` pins the proxy to CPU 0 and the upstream and load generator to CPU 1 (taskset); with
// workers the pin applies to the primary and is inherited by the workers.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChild, stopChild } from './lib/children.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const here = dirname(fileURLToPath(import.meta.url));

/** Targets the numbers are judged against (the task's acceptance bar). */
const TARGET_THROUGHPUT_RATIO = 0.25;
const TARGET_ADDED_P50_MS = 1;
/** Deployment id the proxy routes: requests carry `Host: bench.localhost`. */
const DEPLOYMENT = 'bench';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    'probe-connections': { type: 'string', default: '1' },
    'probe-duration': { type: 'string', default: '5' },
    workers: { type: 'string', default: '1' },
    pin: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const duration = Number(opts.duration);
const connections = Number(opts.connections);
const warmup = Number(opts.warmup);
const probeConnections = Number(opts['probe-connections']);
const probeDuration = Number(opts['probe-duration']);
const workers = Number(opts.workers);
if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers must be a positive integer');
const pin = opts.pin && spawnSync('taskset', ['-V']).status === 0 && os.cpus().length >= 2;

/** CPU time (user + system, µs) a child has used so far. */
function cpuOf(child) {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message.cpu.user + message.cpu.system));
    child.send('cpu');
  });
}

function get(port, headers) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      })
      .on('error', reject);
  });
}

function run(target, seconds, extra = {}, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${target.port}/`,
        headers: target.headers,
        connections,
        duration: seconds,
        ...extra,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (onResponse) instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function saturate(target, children) {
  if (warmup > 0) await run(target, warmup);
  const before = await Promise.all(Object.values(children).map(cpuOf));
  const r = await run(target, duration);
  const after = await Promise.all(Object.values(children).map(cpuOf));
  const cpuUsPerRequest = Object.fromEntries(
    Object.keys(children).map((name, i) => [name, (after[i] - before[i]) / r.requests.total]),
  );
  return {
    reqPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
    cpuUsPerRequest,
  };
}

async function probe(target) {
  const times = [];
  let bad = 0;
  await run(target, probeDuration, { connections: probeConnections }, (status, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
    else bad += 1;
  });
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), samples: times.length, errors: bad };
}

const f = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main() {
  const loadBefore = os.loadavg().map((l) => l.toFixed(2));
  if (pin) spawnSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const upstream = await startChild('proxy-upstream.mjs', [], pin ? 1 : undefined);
  const proxy = await startChild(
    'proxy-server.mjs',
    [String(upstream.port), DEPLOYMENT, String(workers)],
    pin ? 0 : undefined,
  );
  try {
    const direct = { port: upstream.port, headers: {} };
    const proxied = { port: proxy.port, headers: { host: `${DEPLOYMENT}.localhost` } };
    const check = await get(proxy.port, proxied.headers);
    if (check.statusCode !== 200 || check.headers['x-wharf-handling-instance'] !== `${DEPLOYMENT}-main-0`) {
      throw new Error(`proxy sanity check failed: ${check.statusCode}`);
    }

    const satDirect = await saturate(direct, { upstream: upstream.child });
    const satProxied = await saturate(proxied, { upstream: upstream.child, proxy: proxy.child });
    const probeDirect = await probe(direct);
    const probeProxied = await probe(proxied);

    const cpus = os.cpus();
    const summary = {
      machine: {
        cores: cpus.length,
        cpu: cpus[0]?.model ?? 'unknown',
        memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        pinned: pin,
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
      },
      settings: {
        duration,
        connections,
        warmup,
        probeConnections,
        probeDuration,
        proxyWorkers: workers,
        bodyBytes: upstream.bytes,
      },
      saturation: {
        direct: satDirect,
        proxied: satProxied,
        throughputRatio: satProxied.reqPerSec / satDirect.reqPerSec,
        addedP50Ms: satProxied.p50 - satDirect.p50,
        // Requests one core serves through the proxy vs directly: the ratio with every process on
        // its own core, independent of how the box's cores were shared during this run.
        cpuNormalisedRatio: satDirect.cpuUsPerRequest.upstream / satProxied.cpuUsPerRequest.proxy,
      },
      probe: { direct: probeDirect, proxied: probeProxied, addedP50Ms: probeProxied.p50 - probeDirect.p50 },
    };
    summary.verdict = {
      throughputRatioOk: summary.saturation.throughputRatio >= TARGET_THROUGHPUT_RATIO,
      addedP50UnloadedOk: summary.probe.addedP50Ms <= TARGET_ADDED_P50_MS,
      addedP50AtSaturationOk: summary.saturation.addedP50Ms <= TARGET_ADDED_P50_MS,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const m = summary.machine;
    console.log(
      `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, node ${m.node}, ${m.platform}, pinned=${m.pinned}`,
    );
    console.log(
      `load average before the run: ${loadBefore.join(' ')} (other work on the box skews every figure)`,
    );
    console.log(
      `load: autocannon, ${connections} keep-alive connections, ${duration} s per target (+${warmup} s warm-up), ${upstream.bytes}-byte JSON`,
    );
    console.log(`proxy: ${workers === 1 ? 'one process' : `primary + ${workers} workers`}`);
    console.log('');
    console.log('saturation            req/s      p50 ms   p99 ms   errors');
    for (const [name, r] of [
      ['direct', satDirect],
      ['through proxy', satProxied],
    ]) {
      console.log(
        `  ${name.padEnd(18)}${f(r.reqPerSec, 0).padStart(8)}   ${String(r.p50).padStart(6)}   ${String(r.p99).padStart(6)}   ${r.errors}`,
      );
    }
    console.log(
      `  proxied/direct throughput: ${f(summary.saturation.throughputRatio * 100, 1)} % (target >= ${TARGET_THROUGHPUT_RATIO * 100} %)`,
    );
    console.log(
      `  added p50 at saturation:   ${f(summary.saturation.addedP50Ms, 0)} ms (1 ms histogram resolution)`,
    );
    console.log(
      `  CPU per request: upstream ${f(satDirect.cpuUsPerRequest.upstream, 1)} us (direct); ` +
        `proxy ${f(satProxied.cpuUsPerRequest.proxy, 1)} us + upstream ${f(satProxied.cpuUsPerRequest.upstream, 1)} us (proxied)`,
    );
    console.log(
      `  CPU-normalised proxied/direct (each process on its own core): ${f(summary.saturation.cpuNormalisedRatio * 100, 1)} %`,
    );
    console.log('');
    console.log(
      `latency probe, ${probeConnections} connection(s) back to back, ${probeDuration} s   p50 ms   p99 ms   samples`,
    );
    for (const [name, r] of [
      ['direct', probeDirect],
      ['through proxy', probeProxied],
    ]) {
      console.log(
        `  ${name.padEnd(45)}${f(r.p50, 3).padStart(7)}  ${f(r.p99, 3).padStart(7)}   ${r.samples}`,
      );
    }
    console.log(
      `  added p50 (one proxy hop, unsaturated): ${f(summary.probe.addedP50Ms, 3)} ms (target <= ${TARGET_ADDED_P50_MS} ms)`,
    );
  } finally {
    await Promise.all([stopChild(proxy.child), stopChild(upstream.child)]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
