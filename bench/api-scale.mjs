#!/usr/bin/env node
// api-scale (issue 13 §2, §6): the deployment list and search of the api with 10,000 deployments.
//   - One embedded ZooKeeper; N deployments written straight into it, 100 per multi-op
//     transaction (record, plan subtree, current or pending plan, one instance spec on one of
//     50 allocators: what the api and the constructor leave), as @wharf/testkit's seedDeployments.
//   - Then the real api (services/api/dist/main.js, one process with the runner's V8 flags,
//     `serviceNodeOptions('api')` of @wharf/runner, as `wharf up` runs it; `--node-options`
//     overrides them) starts on that tree; its cache loads it once, and every request below is
//     answered from the cache.
//   - Sequential requests over one keep-alive connection, timed from send to last byte:
//     a page (`GET /deployments?size=100`, following next_cursor through the whole list, again and
//     again), a filtered page (`?name_prefix=…&stack=http&status=running`), a `_search`
//     (bool of a name prefix and an allocator term), and a full walk by 1,000-deployment pages.
//   - The api's RSS (/proc) after the load and after the requests.
// Prints p50/p99 per kind beside the goals (p99 ≤ 50 ms; RSS ≤ 250 MB).
//   node bench/api-scale.mjs [--deployments 10000] [--samples 300] [--node-options '<flags>'] [--json]
//   node bench/api-scale.mjs --quick        (300 deployments, 30 samples: CI-sized)
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, quantile, sleep } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { paths } = require('@wharf/model');
const { seedDeployments } = require('@wharf/testkit');
const { serviceNodeOptions } = require('@wharf/runner');

const { values } = parseArgs({
  options: {
    deployments: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '300' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'node-options': { type: 'string', default: serviceNodeOptions('api') },
  },
});
const NODE_OPTIONS = values['node-options'];
const COUNT = values.quick ? 300 : Number(values.deployments);
const SAMPLES = values.quick ? 30 : Number(values.samples);
/** Allocators the instance specs are spread over. */
const ALLOCATORS = 50;
/** Requests before timing starts (JIT, first-page caches). */
const WARMUP = 20;
const GOAL_P99_MS = 50;
const GOAL_RSS_MB = 250;
const API_MAIN = join(import.meta.dirname, '..', 'services', 'api', 'dist', 'main.js');
const CHROOT = '/bench-api';
const T0 = Date.UTC(2026, 0, 1);
/** Idle time before the last RSS reading (V8 shrinks its heap some seconds after activity stops). */
const IDLE_MS = values.quick ? 1_000 : 20_000;

const allocator = (i) => `alloc-${String(i % ALLOCATORS).padStart(2, '0')}`;
const deployment = (i) => ({
  id: `d${String(i).padStart(6, '0')}${(i * 2654435761) % (4096).toString(16)}`.slice(0, 63),
  name: `svc-${i % 100}-${i}`,
  created: new Date(T0 + i * 10).toISOString(),
  stack: i % 4 === 0 ? 'http' : 'etcd',
  status: i % 10 === 0 ? 'creating' : 'running',
  allocator: allocator(i),
});

function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : NaN;
}

/** The api's V8 heap (used, total) and external memory from its own `/metrics`, in MB. */
function heapMb(api) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: api.port,
        path: '/metrics',
        agent: api.agent,
        headers: { authorization: `ApiKey ${api.key}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const metric = (name) =>
            Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm'))?.[1]) / 2 ** 20;
          resolve({
            used: metric('nodejs_heap_size_used_bytes'),
            total: metric('nodejs_heap_size_total_bytes'),
            external: metric('nodejs_external_memory_bytes'),
          });
        });
      },
    );
    req.on('error', reject);
  });
}

/** One request over `agent`; resolves with `{ms, status, body}`. */
function call(port, agent, key, method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/api/v1${path}`,
        agent,
        headers: {
          authorization: `ApiKey ${key}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          resolve({ ms, status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function startApi(zk, home) {
  const port = await freePort();
  // As the runner starts it (`serviceNodeOptions` in services/runner/src/roles.ts).
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      ...process.env,
      NODE_OPTIONS,
      WHARF_ZK: zk.connectString,
      WHARF_ZK_CHROOT: CHROOT,
      WHARF_HOME: home,
      WHARF_API_HOST: '127.0.0.1',
      WHARF_API_PORT: String(port),
      WHARF_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, port };
}

/** Timed calls of `next()` (which returns `[method, path, body]`), after a warm-up. */
async function measure(api, next, samples) {
  const times = [];
  for (let i = 0; i < WARMUP + samples; i++) {
    const [method, path, body] = next();
    const res = await call(api.port, api.agent, api.key, method, path, body);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    if (i >= WARMUP) times.push(res.ms);
    api.last = res.body;
  }
  return times;
}

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-api-'));
const zk = new EmbeddedZooKeeper({ dataDir: join(dir, 'zk'), port: await freePort() });
let session;
let api;
const figures = {};
try {
  await zk.start();
  session = new ZkSession({ connectString: zk.connectString, chroot: CHROOT, sessionTimeoutMs: 10_000 });
  await session.start();
  for (const path of [paths.deployments(), paths.allocators()]) await session.mkdirp(path);
  for (let a = 0; a < ALLOCATORS; a++) await session.mkdirp(paths.allocatorInstances(allocator(a)));
  const seedStart = process.hrtime.bigint();
  await seedDeployments(
    session,
    Array.from({ length: COUNT }, (_, i) => deployment(i)),
  );
  figures.seed_s = Number(process.hrtime.bigint() - seedStart) / 1e9;

  const started = process.hrtime.bigint();
  const { child, port } = await startApi(zk, join(dir, 'home'));
  api = { child, port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  for (;;) {
    try {
      api.key = readFileSync(join(dir, 'home', 'credentials', 'api-key'), 'utf8').trim();
      const res = await call(port, api.agent, api.key, 'GET', '/deployments?size=0');
      if (res.status === 200 && res.body.total === COUNT) break;
    } catch {
      // not listening (or no key) yet
    }
    if (child.exitCode !== null) throw new Error(`the api exited with ${child.exitCode}`);
    await sleep(100);
  }
  figures.api_ready_s = Number(process.hrtime.bigint() - started) / 1e9;
  figures.rss_loaded_mb = rssMb(child.pid);

  // A page: walk the whole list by cursor, from the start again at the end.
  let cursor = null;
  figures.page = await measure(
    api,
    () => {
      cursor = api.last?.next_cursor ?? null;
      return ['GET', `/deployments?size=100${cursor ? `&cursor=${cursor}` : ''}`];
    },
    SAMPLES,
  );
  api.last = undefined;
  let n = 0;
  figures.filtered = await measure(
    api,
    () => ['GET', `/deployments?size=100&name_prefix=svc-${n++ % 100}&stack=etcd&status=running`],
    SAMPLES,
  );
  figures.search = await measure(
    api,
    () => [
      'POST',
      '/deployments/_search',
      {
        query: {
          bool: {
            must: [{ prefix: { name: `svc-${n++ % 10}` } }],
            filter: [{ term: { allocator: allocator(n) } }],
          },
        },
        size: 100,
        sort: [{ name: 'desc' }],
      },
    ],
    SAMPLES,
  );
  // A full walk by the largest pages (what `wharf deployment list --all` does).
  const walkStart = process.hrtime.bigint();
  let walked = 0;
  for (let next = null; ;) {
    const res = await call(
      port,
      api.agent,
      api.key,
      'GET',
      `/deployments?size=1000${next ? `&cursor=${next}` : ''}`,
    );
    walked += res.body.deployments.length;
    next = res.body.next_cursor;
    if (next === null) break;
  }
  if (walked !== COUNT) throw new Error(`the walk saw ${walked} of ${COUNT} deployments`);
  figures.walk_ms = Number(process.hrtime.bigint() - walkStart) / 1e6;
  figures.rss_after_mb = rssMb(child.pid);
  // Idle for a while: V8's memory reducer runs full GCs and returns pages once allocation stops.
  await sleep(IDLE_MS);
  figures.rss_idle_mb = rssMb(child.pid);
  figures.heap_mb = await heapMb(api);
} finally {
  api?.agent.destroy();
  if (api && api.child.exitCode === null) {
    const exited = new Promise((resolve) => api.child.once('exit', resolve));
    api.child.kill('SIGTERM');
    await exited;
  }
  await session?.close();
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}

const stats = (xs) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });
const summary = {
  deployments: COUNT,
  samples: SAMPLES,
  node_options: NODE_OPTIONS,
  seed_s: figures.seed_s,
  api_ready_s: figures.api_ready_s,
  page_ms: stats(figures.page),
  filtered_page_ms: stats(figures.filtered),
  search_ms: stats(figures.search),
  walk_all_ms: figures.walk_ms,
  rss_mb: { loaded: figures.rss_loaded_mb, after: figures.rss_after_mb, idle: figures.rss_idle_mb },
  heap_mb: figures.heap_mb,
  goals: { p99_ms: GOAL_P99_MS, rss_mb: GOAL_RSS_MB },
};
if (values.json)
  console.log(JSON.stringify({ cpus: cpus().length, load: loadavg()[0], ...summary }, null, 2));
else {
  const fmt = ({ p50, p99 }) =>
    `p50 ${p50.toFixed(1)} / p99 ${p99.toFixed(1)} ms ${p99 <= GOAL_P99_MS ? '(goal ≤ 50 met)' : '(goal ≤ 50 MISSED)'}`;
  console.log(
    `api at scale (${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}): ${COUNT} deployments, ${SAMPLES} samples each, NODE_OPTIONS=${NODE_OPTIONS}`,
  );
  console.log(
    `  seeded in ${summary.seed_s.toFixed(1)} s; api up with all of them cached in ${summary.api_ready_s.toFixed(1)} s`,
  );
  console.log(`  page of 100 (cursor walk):        ${fmt(summary.page_ms)}`);
  console.log(`  filtered page (prefix+stack+status): ${fmt(summary.filtered_page_ms)}`);
  console.log(`  _search (prefix + allocator term):  ${fmt(summary.search_ms)}`);
  console.log(`  every deployment by 1,000-pages:    ${summary.walk_all_ms.toFixed(0)} ms`);
  const rss = summary.rss_mb;
  console.log(
    `  api RSS: ${rss.loaded.toFixed(0)} MB loaded, ${rss.after.toFixed(0)} MB after the requests, ` +
      `${rss.idle.toFixed(0)} MB ${IDLE_MS / 1000} s later ${rss.after <= GOAL_RSS_MB ? '(goal ≤ 250 met)' : '(goal ≤ 250 MISSED)'}`,
  );
  const heap = summary.heap_mb;
  console.log(
    `  api V8 heap: ${heap.used.toFixed(0)} MB used of ${heap.total.toFixed(0)} MB; ${heap.external.toFixed(0)} MB external`,
  );
}
