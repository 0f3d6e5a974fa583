#!/usr/bin/env node
// route-propagation (issue 13 §3): how long from a route znode write until every proxy serves it,
// and what a full table rebuild costs.
//   - One embedded ZooKeeper, one upstream process and P proxy processes (the built
//     services/proxy/dist/main.js, one process each, as `wharf up` runs them).
//   - The route tree is first filled with R routes (all proxies load them); then, per sample, one
//     new route is created and every proxy is polled over keep-alive HTTP (GET with the
//     deployment's `x-wharf-deployment` header; a 404 answers in ~0.1 ms) until it forwards to the
//     upstream. The figure is the time from just before the create to each proxy's first 200:
//     ZooKeeper's write and watch notification, the proxy's coalescing (10 ms) and rebuild.
//   - In process, in CPU ms: `buildRouteTable` over R route documents, every one decoded (first
//     load), again through the memo with every document in a new buffer of the same bytes (a
//     reload), and `applyRouteChanges` of one changed document to an R-route table (what a proxy
//     does per change).
// Prints p50/p95/p99 per (proxies, routes) pair; `--out <file>` also writes them as JSON (for
// `bench/route-propagation-plot.mjs`).
//   node bench/route-propagation.mjs [--proxies 2,8] [--routes 1000,10000] [--samples 30] [--json] [--out f]
//   node bench/route-propagation.mjs --quick        (2 proxies, 200 routes, 5 samples: CI-sized)
//   --root <checkout>: measure another checkout's build (its proxy and libraries) with this script,
//   so before/after runs differ only in the code measured.
//   --poll-gap-ms <n>: pause between polls of one proxy (default 1; 0 polls back to back).
//   --no-stagger: start the P proxies at once. By default each proxy is started once the previous
//   one serves: 8 proxies loading 10,000 routes at once on 2 shared cores could not open their
//   ZooKeeper sessions (docs/benchmarks.md); the figure measured is the steady state anyway.
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startChild, stopChild } from './lib/children.mjs';
import { benchRoute } from './lib/proxy-options.mjs';
import { freePort, quantile, sleep } from './lib/platform.mjs';

const { values } = parseArgs({
  options: {
    proxies: { type: 'string', default: '2,8' },
    routes: { type: 'string', default: '1000,10000' },
    samples: { type: 'string', default: '30' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    root: { type: 'string', default: join(import.meta.dirname, '..') },
    'no-stagger': { type: 'boolean', default: false },
    'poll-gap-ms': { type: 'string', default: '1' },
  },
});
const ROOT = resolve(values.root);
const require = createRequire(join(ROOT, 'package.json'));
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { paths, serializeDocument } = require('@wharf/model');
const { RouteMemo, applyRouteChanges, buildRouteTable } = require('@wharf/proxy');

const list = (s) => s.split(',').map(Number);
const PROXIES = values.quick ? [2] : list(values.proxies);
const ROUTES = values.quick ? [200] : list(values.routes);
const SAMPLES = values.quick ? 5 : Number(values.samples);
/** Creates in flight while the tree is filled. */
const FILL_CONCURRENCY = 256;
/** Full rebuilds timed per route count (after 3 warm-up builds). */
const REBUILDS = 20;
const PROXY_MAIN = join(ROOT, 'services', 'proxy', 'dist', 'main.js');
const STAGGER = !values['no-stagger'];
const CHROOT = '/bench-routes';
/**
 * Pause between two polls of one proxy. Polling back to back (0, what runs before 2026-12-07 19:00
 * did) keeps the bench and every proxy answering 404s on both cores while the change propagates:
 * with 8 proxies the measurement competes with what it measures. 1 ms costs ≤ 1 ms of resolution.
 */
const POLL_GAP_MS = Number(values['poll-gap-ms']);

const fmt = (xs) =>
  `p50 ${quantile(xs, 0.5).toFixed(1)} / p95 ${quantile(xs, 0.95).toFixed(1)} / p99 ${quantile(xs, 0.99).toFixed(1)} ms`;

const routeData = (deployment, port) => serializeDocument('route', benchRoute(deployment, port));

/** Status of one GET for `deployment` through the proxy on `port` (keep-alive `agent`). */
function status(port, agent, deployment) {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/', agent, headers: { 'x-wharf-deployment': deployment } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve(0));
  });
}

/** Polls until the proxy forwards `deployment`; resolves with the time it first did (hrtime ns). */
async function servedAt(proxy, deployment, deadlineNs) {
  for (;;) {
    if ((await status(proxy.port, proxy.agent, deployment)) === 200) return process.hrtime.bigint();
    if (process.hrtime.bigint() > deadlineNs) throw new Error(`proxy ${proxy.id} never served ${deployment}`);
    if (POLL_GAP_MS > 0) await sleep(POLL_GAP_MS);
  }
}

function startProxy(zk, id) {
  return freePort().then((port) => {
    const child = spawn(process.execPath, [PROXY_MAIN], {
      env: {
        ...process.env,
        WHARF_ZK: zk.connectString,
        WHARF_ZK_CHROOT: CHROOT,
        WHARF_ID: id,
        WHARF_PROXY_PORT: String(port),
        WHARF_PROXY_WORKERS: '1',
        WHARF_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return { id, port, child, zk, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  });
}

/** Attempts to start one proxy: on a loaded box its first ZooKeeper connection can time out. */
const START_ATTEMPTS = 3;

/**
 * Waits until `proxy` serves `deployment` (60 s per attempt); a proxy that exited meanwhile (it
 * failed to start) is started again, and `replace` is told of the new process.
 */
async function ready(proxy, deployment, replace) {
  for (let attempt = 1; ; attempt++) {
    const deadline = process.hrtime.bigint() + 60_000_000_000n;
    for (;;) {
      if ((await status(proxy.port, proxy.agent, deployment)) === 200) return;
      if (proxy.child.exitCode !== null || process.hrtime.bigint() > deadline) break;
      await sleep(20);
    }
    if (attempt >= START_ATTEMPTS) throw new Error(`proxy ${proxy.id} did not start`);
    console.error(`proxy ${proxy.id} did not start (attempt ${attempt}); starting it again`);
    proxy.agent.destroy();
    if (proxy.child.exitCode === null) proxy.child.kill('SIGKILL');
    proxy = await startProxy(proxy.zk, proxy.id);
    replace(proxy);
  }
}

async function fill(session, from, to, upstreamPort) {
  let next = from;
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      await session.create(paths.route(`r${i}`), routeData(`r${i}`, upstreamPort));
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}

/**
 * Rebuild times over `count` documents: `full` decodes every document (a first load, a resync);
 * `changed` is what a proxy does per route change — one new document applied to the table.
 */
function rebuildMs(count, upstreamPort) {
  const docs = Array.from({ length: count }, (_, i) => ({
    name: `r${i}`,
    data: routeData(`r${i}`, upstreamPort),
  }));
  // CPU time, not wall time: on a shared box a build is preempted, and the wall clock then measures
  // the neighbours (the wall-clock p50 is printed too).
  const time = (fn) => {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    return (c.user + c.system) / 1000;
  };
  const wall = [];
  for (let i = 0; i < 3; i++) buildRouteTable(docs);
  const full = Array.from({ length: REBUILDS }, () => time(() => buildRouteTable(docs)));
  // A reload (the safety-net refresh): every document read again into a new buffer, same bytes.
  const memo = new RouteMemo();
  buildRouteTable(docs, { memo });
  const reload = Array.from({ length: REBUILDS }, () => {
    const fresh = docs.map((d) => ({ name: d.name, data: Buffer.from(d.data) }));
    return time(() => buildRouteTable(fresh, { memo }));
  });
  let current = buildRouteTable(docs);
  if (applyRouteChanges === undefined)
    return { full, reload, changed: [NaN], fullWall: wall.slice(0, REBUILDS) };
  const changed = Array.from({ length: REBUILDS }, (_, i) => {
    const k = (i * 7919) % count;
    const change = new Map([[`r${k}`, { name: `r${k}`, data: routeData(`r${k}`, upstreamPort) }]]);
    return time(() => (current = applyRouteChanges(current, change)));
  });
  return { full, reload, changed, fullWall: wall.slice(0, REBUILDS) };
}

const loadAtStart = loadavg()[0];
const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-routes-'));
const zk = new EmbeddedZooKeeper({ dataDir: dir, port: await freePort() });
const upstream = await startChild('proxy-upstream.mjs', []);
const results = [];
const failures = [];
let session;
try {
  await zk.start();
  session = new ZkSession({ connectString: zk.connectString, chroot: CHROOT, sessionTimeoutMs: 10_000 });
  await session.start();
  await session.mkdirp(paths.routes());
  let filled = 0;
  let sampleId = 0;
  for (const routes of [...ROUTES].sort((a, b) => a - b)) {
    await fill(session, filled, routes, upstream.port);
    filled = routes;
    const rebuild = rebuildMs(routes, upstream.port);
    for (const count of PROXIES) {
      const proxies = [];
      try {
        // Ready: every proxy serves the last route of the filled tree.
        const last = `r${routes - 1}`;
        if (STAGGER) {
          for (let i = 0; i < count; i++) {
            proxies.push(await startProxy(zk, `bp-${routes}-${i}`));
            await ready(proxies[i], last, (next) => (proxies[i] = next));
          }
        } else {
          for (let i = 0; i < count; i++) proxies.push(await startProxy(zk, `bp-${routes}-${i}`));
          await Promise.all(proxies.map((p, i) => ready(p, last, (next) => (proxies[i] = next))));
        }
        const latencies = [];
        for (let s = 0; s < SAMPLES; s++) {
          const deployment = `s${sampleId++}`;
          const t0 = process.hrtime.bigint();
          await session.create(paths.route(deployment), routeData(deployment, upstream.port));
          const deadline = t0 + 10_000_000_000n;
          const seen = await Promise.all(proxies.map((p) => servedAt(p, deployment, deadline)));
          for (const t of seen) latencies.push(Number(t - t0) / 1e6);
          await session.delete(paths.route(deployment), -1);
          await sleep(50);
        }
        results.push({ proxies: count, routes, samples: SAMPLES, latencies, rebuild });
        console.error(`  ${count} proxies, ${routes} routes: write → served ${fmt(latencies)}`);
      } catch (err) {
        // A loaded box can starve a proxy past the deadlines: report the pair, go on with the rest.
        console.error(`  ${count} proxies, ${routes} routes: FAILED (${err.message})`);
        failures.push({ proxies: count, routes, error: err.message });
      } finally {
        for (const p of proxies) p.agent.destroy();
        await Promise.all(
          proxies.map(
            (p) =>
              new Promise((resolve) => {
                // A proxy that failed to start has exited already: its 'exit' will not come again.
                if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
                p.child.once('exit', resolve);
                p.child.kill('SIGTERM');
                // A proxy whose ZooKeeper is unreachable waits on its deregistration: bound it.
                setTimeout(() => p.child.exitCode === null && p.child.kill('SIGKILL'), 10_000).unref();
              }),
          ),
        );
      }
    }
  }
} finally {
  await session?.close();
  await stopChild(upstream.child);
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}

const summary = results.map((r) => ({
  proxies: r.proxies,
  routes: r.routes,
  observations: r.latencies.length,
  propagation_ms: {
    p50: quantile(r.latencies, 0.5),
    p95: quantile(r.latencies, 0.95),
    p99: quantile(r.latencies, 0.99),
  },
  rebuild_ms: {
    full: { p50: quantile(r.rebuild.full, 0.5), p99: quantile(r.rebuild.full, 0.99) },
    full_wall: { p50: quantile(r.rebuild.fullWall, 0.5), p99: quantile(r.rebuild.fullWall, 0.99) },
    reload: { p50: quantile(r.rebuild.reload, 0.5), p99: quantile(r.rebuild.reload, 0.99) },
    one_changed: { p50: quantile(r.rebuild.changed, 0.5), p99: quantile(r.rebuild.changed, 0.99) },
  },
}));
const report = {
  when: new Date().toISOString(),
  root: ROOT,
  stagger: STAGGER,
  load_at_start: loadAtStart,
  cpus: cpus().length,
  load: loadavg()[0],
  samples: SAMPLES,
  summary,
  failures,
};
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `route propagation (${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}), ${SAMPLES} samples each`,
  );
  for (const r of results) {
    console.log(
      `  ${String(r.proxies).padStart(2)} proxies, ${String(r.routes).padStart(5)} routes: write → served ${fmt(r.latencies)}; ` +
        `rebuild (CPU ms): all decoded p50 ${quantile(r.rebuild.full, 0.5).toFixed(2)} / p99 ${quantile(r.rebuild.full, 0.99).toFixed(2)} ` +
        `(wall p50 ${quantile(r.rebuild.fullWall, 0.5).toFixed(2)}), ` +
        `reload p50 ${quantile(r.rebuild.reload, 0.5).toFixed(2)} / p99 ${quantile(r.rebuild.reload, 0.99).toFixed(2)}, ` +
        `one changed p50 ${quantile(r.rebuild.changed, 0.5).toFixed(3)} / p99 ${quantile(r.rebuild.changed, 0.99).toFixed(3)}`,
    );
  }
}
