#!/usr/bin/env node
// Proxy data plane benchmark (issue 13, part 4): the same upstream reached directly, through the
// Node proxy (one process, and workers), through the proxy with HAProxy as its data plane
// (`WHARF_PROXY_DATAPLANE=haproxy`), through plain HAProxy and through nginx, interleaved.
//
//   npx tsc -b services/proxy && node bench/proxy-dataplane.mjs [--rounds 3] [--duration 5]
//        [--connections 32] [--probe-duration 2] [--workers 2] [--only a,b] [--quick] [--json]
//
// Each round runs every variant once (the order rotates between rounds, so a burst of other work
// on a shared box lands on different variants): saturation with --connections keep-alive
// connections for --duration s (autocannon, in this process), then a probe of one connection back
// to back for --probe-duration s (the latency one hop adds when nothing is queued). The CPU a proxy
// used is read from /proc/<pid>/stat of every process of it (a Node primary and its workers; the
// proxy and the HAProxy it spawned; nginx's master and worker), so "req/s per core" =
// 1e6 / (CPU µs per request) holds even when the box is shared: it is what one core of the proxy
// serves. Medians and ranges over rounds are printed. HAProxy and nginx are Debian packages
// (`apt-get install -y haproxy nginx-light`); a missing one is skipped. Loopback only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild, stopChild } from './lib/children.mjs';
import { installed, startHaproxy, startNginx } from './lib/reference-proxies.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const DEPLOYMENT = 'bench';
const HOST = `${DEPLOYMENT}.localhost`;
/** Issue 13's bar: per core at least this fraction of HAProxy's throughput, added p50 at most this. */
const TARGET_PER_CORE_RATIO = 0.7;
const TARGET_ADDED_P50_MS = 0.2;

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    'probe-duration': { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const quick = opts.quick;
const rounds = quick ? 1 : Number(opts.rounds);
const duration = quick ? 1 : Number(opts.duration);
const probeDuration = quick ? 1 : Number(opts['probe-duration']);
/** A warm-up load per variant before the rounds; `--quick` (CI's smoke run: figures mean little) skips it. */
const warmUp = !quick;
const connections = Number(opts.connections);
const workers = Number(opts.workers);
for (const [name, value] of Object.entries({ rounds, duration, probeDuration, connections, workers })) {
  if (!Number.isInteger(value) || value < 1 || value > 3600)
    throw new Error(`--${name} must be an integer 1-3600`);
}
const only = opts.only?.split(',');
const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** Every process whose ancestry includes `root` (and `root`), from /proc. */
function treePids(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
      parent.set(Number(name), Number(fields[1]));
    } catch {
      // Exited while listed.
    }
  }
  const pids = [root];
  for (const [pid] of parent) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        pids.push(pid);
        break;
      }
    }
  }
  return pids;
}

/** CPU (user + system, µs) used so far by `root` and every process under it. */
function cpuUs(root) {
  let total = 0;
  for (const pid of treePids(root)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticks;
    } catch {
      // Exited.
    }
  }
  return total;
}

function load(port, conns, seconds, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: `http://127.0.0.1:${port}/`, headers: { host: HOST }, connections: conns, duration: seconds },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (onResponse) instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

/** One request through `variant` must succeed (a broken variant would only show as errors). */
function sanityCheck(variant) {
  return new Promise((resolve, reject) => {
    require('node:http')
      .get({ host: '127.0.0.1', port: variant.port, headers: { host: HOST }, agent: false }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new Error(`${variant.name}: sanity check answered ${res.statusCode}`));
      })
      .on('error', reject);
  });
}

async function measure(target) {
  const before = target.pid === undefined ? 0 : cpuUs(target.pid);
  const r = await load(target.port, connections, duration);
  const cpu = target.pid === undefined ? NaN : cpuUs(target.pid) - before;
  const times = [];
  let bad = r.errors + r.timeouts + r.non2xx;
  await load(target.port, 1, probeDuration, (status, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
    else bad += 1;
  });
  times.sort((a, b) => a - b);
  const reqPerSec = r.requests.total / r.duration;
  const cpuUsPerRequest = cpu / r.requests.total;
  return {
    reqPerSec,
    cpuUsPerRequest,
    perCore: 1e6 / cpuUsPerRequest,
    probeP50: times[Math.floor(times.length / 2)] ?? NaN,
    errors: bad,
  };
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};
const range = (values) => {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? [NaN, NaN] : [Math.min(...finite), Math.max(...finite)];
};
const f = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Every variant that can run here, started once and measured in every round. */
async function startVariants(dir, upstream) {
  const variants = [{ name: 'direct', port: upstream.port, pid: undefined, stop: () => undefined }];
  const node = await startChild('proxy-server.mjs', [String(upstream.port), DEPLOYMENT, '1']);
  variants.push({
    name: 'wharf node, 1 process',
    port: node.port,
    pid: node.child.pid,
    stop: () => stopChild(node.child),
  });
  const pool = await startChild('proxy-server.mjs', [String(upstream.port), DEPLOYMENT, String(workers)]);
  variants.push({
    name: `wharf node, ${workers} workers`,
    port: pool.port,
    pid: pool.child.pid,
    stop: () => stopChild(pool.child),
  });
  // Route (a) experiments: the bare Node forwarders (bench/lib/lean-forwarder.mjs).
  for (const mode of ['http-request', 'undici']) {
    // undici comes with the dev tooling (not a dependency of the proxy): skipped when absent.
    const lean = await startChild('lean-forwarder.mjs', [mode, String(upstream.port)]).catch((err) => {
      console.error(`(skipping bare node, ${mode}: ${err.message})`);
      return undefined;
    });
    if (lean === undefined) continue;
    variants.push({
      name: `bare node, ${mode}`,
      port: lean.port,
      pid: lean.child.pid,
      stop: () => stopChild(lean.child),
    });
  }
  if (installed('haproxy')) {
    for (const checks of ['checks', 'nochecks']) {
      const dp = await startChild('proxy-dataplane-server.mjs', [
        String(upstream.port),
        DEPLOYMENT,
        '1',
        checks,
      ]);
      variants.push({
        name: `wharf + haproxy data plane${checks === 'checks' ? '' : ', no checks'}`,
        port: dp.port,
        pid: dp.child.pid,
        stop: () => stopChild(dp.child),
      });
    }
    variants.push({ name: 'haproxy', ...(await startHaproxy(dir, upstream.port)) });
  }
  if (installed('nginx')) variants.push({ name: 'nginx', ...(await startNginx(dir, upstream.port)) });
  return variants.filter(
    (v) => v.name === 'direct' || v.name === 'haproxy' || !only || only.some((o) => v.name.includes(o)),
  );
}

async function main() {
  const loadBefore = os.loadavg();
  const started = new Date().toISOString();
  const dir = mkdtempSync(join(os.tmpdir(), 'wharf-bench-dataplane-'));
  const upstream = await startChild('proxy-upstream.mjs', []);
  let variants = [];
  try {
    variants = await startVariants(dir, upstream);
    for (const v of variants) await sanityCheck(v);
    if (warmUp) for (const v of variants) await load(v.port, connections, 1);
    const perRound = variants.map(() => []);
    for (let round = 0; round < rounds; round += 1) {
      for (let k = 0; k < variants.length; k += 1) {
        const i = (k + round) % variants.length;
        perRound[i].push(await measure(variants[i]));
      }
    }
    const index = (name) => variants.findIndex((v) => v.name === name);
    const [direct, haproxy] = [index('direct'), index('haproxy')];
    const results = variants.map((v, i) => {
      const runs = perRound[i];
      const ratio = runs.map((r, k) => (haproxy < 0 ? NaN : r.perCore / perRound[haproxy][k].perCore));
      const added = runs.map((r, k) => r.probeP50 - perRound[direct][k].probeP50);
      const summary = {};
      for (const [key, values] of Object.entries({
        reqPerSec: runs.map((r) => r.reqPerSec),
        cpuUsPerRequest: runs.map((r) => r.cpuUsPerRequest),
        perCore: runs.map((r) => r.perCore),
        perCoreVsHaproxy: ratio,
        addedP50Ms: added,
      })) {
        summary[key] = { median: median(values), range: range(values) };
      }
      return { name: v.name, ...summary, errors: runs.reduce((n, r) => n + r.errors, 0) };
    });
    const summary = {
      started,
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      loadBefore,
      loadAfter: os.loadavg(),
      settings: { rounds, duration, connections, probeDuration, workers },
      targets: { perCoreVsHaproxy: TARGET_PER_CORE_RATIO, addedP50Ms: TARGET_ADDED_P50_MS },
      results,
    };
    if (opts.json) return void process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    print(summary);
  } finally {
    for (const v of variants) await v.stop();
    await stopChild(upstream.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(summary) {
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `proxy data plane (${summary.machine.cores} CPUs, ${summary.machine.cpu}, node ${summary.machine.node}), ${summary.started}`,
  );
  console.log(`load average before ${load(summary.loadBefore)}, after ${load(summary.loadAfter)}`);
  const s = summary.settings;
  console.log(
    `${s.rounds} interleaved rounds: ${s.connections} connections x ${s.duration} s, then 1 connection x ${s.probeDuration} s; median [min-max]`,
  );
  console.log('');
  console.log(
    'variant                                  req/s               CPU us/req          req/s per core        vs haproxy/core     added p50 ms          errors',
  );
  const cell = (m, digits, width) =>
    `${f(m.median, digits)} [${f(m.range[0], digits)}-${f(m.range[1], digits)}]`.padEnd(width);
  for (const r of summary.results) {
    console.log(
      `  ${r.name.padEnd(38)} ${cell(r.reqPerSec, 0, 20)}${cell(r.cpuUsPerRequest, 1, 20)}${cell(r.perCore, 0, 22)}` +
        `${cell(r.perCoreVsHaproxy, 2, 20)}${cell(r.addedP50Ms, 3, 22)}${r.errors}`,
    );
  }
  console.log('');
  console.log(
    `targets (issue 13): per core >= ${summary.targets.perCoreVsHaproxy} x haproxy, added p50 <= ${summary.targets.addedP50Ms} ms`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
