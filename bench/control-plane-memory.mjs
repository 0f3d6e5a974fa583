#!/usr/bin/env node
// control-plane-memory (issue 13 §6): RSS of the api and the constructor with N deployments and of
// the proxy with N routes, under the runner's V8 flags and under the flags before them, interleaved.
//   - One embedded ZooKeeper holding N deployments (as bench/api-scale.mjs: record, plan subtree,
//     a current or pending plan, one instance spec on one of 50 allocators) and N routes (one
//     instance each on an upstream in the bench process, as bench/route-propagation.mjs).
//   - Per round and per variant: the real api (services/api/dist/main.js) starts on that tree and
//     is read once it lists all N; then the real proxy (services/proxy/dist/main.js, one process:
//     WHARF_PROXY_WORKERS=1) once it routes the last route. Each is read again after idling.
//     After those rounds, the real constructor (services/constructor/dist/main.js), once to settle
//     the tree it acts on, then per round and variant, read once it leads and has gone quiet.
//   - Variants: `runner` = `serviceNodeOptions()` of @wharf/runner (what `wharf up` and the Docker
//     runner give each service); `before` = the flags before issue 13 §6 (api
//     `--max-semi-space-size=1`, proxy none, constructor `--max-semi-space-size=1`).
// Prints RSS (loaded, peak, idle) per service and variant beside the goal (≤ 250 MB): medians
// (nearest rank: the lower of two) and the range; `--json` has every run, with the api's V8 heap.
//   node bench/control-plane-memory.mjs [--count 10000] [--rounds 2] [--idle-ms 10000] [--json]
//   node bench/control-plane-memory.mjs --quick     (300 of each, 1 round: CI-sized)
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchRoute } from './lib/proxy-options.mjs';
import { freePort, quantile, sleep } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { paths, serializeDocument } = require('@wharf/model');
const { seedDeployments } = require('@wharf/testkit');
const { serviceNodeOptions } = require('@wharf/runner');

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
    'idle-ms': { type: 'string', default: '10000' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const COUNT = values.quick ? 300 : Number(values.count);
const ROUNDS = values.quick ? 1 : Number(values.rounds);
/** Idle time before the second reading (V8's memory reducer starts ~8 s after activity stops). */
const IDLE_MS = values.quick ? 1000 : Number(values['idle-ms']);
const GOAL_RSS_MB = 250;
const ALLOCATORS = 50;
/** Route creates in flight while the tree is filled. */
const FILL_CONCURRENCY = 256;
const CHROOT = '/bench-memory';
const T0 = Date.UTC(2026, 0, 1);
const MAIN = (service) => join(import.meta.dirname, '..', 'services', service, 'dist', 'main.js');
const VARIANTS = {
  before: { api: '--max-semi-space-size=1', proxy: '', constructor: '--max-semi-space-size=1' },
  runner: {
    api: serviceNodeOptions('api'),
    proxy: serviceNodeOptions('proxy'),
    constructor: serviceNodeOptions('constructor'),
  },
};

const allocator = (i) => `alloc-${String(i % ALLOCATORS).padStart(2, '0')}`;
const deployment = (i) => ({
  id: `d${String(i).padStart(6, '0')}`,
  name: `svc-${i % 100}-${i}`,
  created: new Date(T0 + i * 10).toISOString(),
  stack: i % 4 === 0 ? 'http' : 'etcd',
  status: i % 10 === 0 ? 'creating' : 'running',
  allocator: allocator(i),
});

/** VmRSS and VmHWM (peak) of `pid`, in MB. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1]) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** GET over `agent`: `{ status, text }` (status 0 when nothing answers). */
function get(port, agent, path, headers) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', () => resolve({ status: 0, text: '' }));
  });
}

/** Starts `service` with `nodeOptions` and `env`; resolves once `ready(port, agent)` holds. */
async function start(service, nodeOptions, env, ready) {
  const port = await freePort();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const child = spawn(process.execPath, [MAIN(service)], {
    env: { ...process.env, ...env(port), NODE_OPTIONS: nodeOptions, WHARF_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The last lines of its (JSON) log, for the error when it exits.
  let log = '';
  child.stdout.on('data', (chunk) => (log = (log + chunk).slice(-4096)));
  const t0 = process.hrtime.bigint();
  while (!(await ready(port, agent, child))) {
    if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}: ${log}`);
    await sleep(100);
  }
  return { child, port, agent, ready_s: Number(process.hrtime.bigint() - t0) / 1e9 };
}

async function stop(proc) {
  proc.agent.destroy();
  if (proc.child.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  await exited;
}

/** One service run: loaded, then idle for IDLE_MS; `heap()` reads its V8 heap at the end. */
async function measure(proc, heap) {
  const loaded = memory(proc.child.pid);
  await sleep(IDLE_MS);
  const idle = memory(proc.child.pid);
  return {
    ready_s: proc.ready_s,
    loaded_mb: loaded.rss,
    idle_mb: idle.rss,
    peak_mb: idle.peak,
    heap_mb: await heap(),
  };
}

const metric = (text, name) =>
  Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm'))?.[1]) / 2 ** 20;

async function runApi(zk, home, nodeOptions) {
  let key;
  const auth = () => ({ authorization: `ApiKey ${key}` });
  const api = await start(
    'api',
    nodeOptions,
    (port) => ({
      WHARF_ZK: zk.connectString,
      WHARF_ZK_CHROOT: CHROOT,
      WHARF_HOME: home,
      WHARF_API_HOST: '127.0.0.1',
      WHARF_API_PORT: String(port),
    }),
    async (port, agent) => {
      try {
        key = readFileSync(join(home, 'credentials', 'api-key'), 'utf8').trim();
      } catch {
        return false; // not bootstrapped yet
      }
      const res = await get(port, agent, '/api/v1/deployments?size=0', auth());
      return res.status === 200 && JSON.parse(res.text).total === COUNT;
    },
  );
  try {
    return await measure(api, async () => {
      const { text } = await get(api.port, api.agent, '/metrics', auth());
      return {
        used: metric(text, 'nodejs_heap_size_used_bytes'),
        total: metric(text, 'nodejs_heap_size_total_bytes'),
      };
    });
  } finally {
    await stop(api);
  }
}

async function runProxy(zk, nodeOptions) {
  const last = `r${COUNT - 1}`;
  const proxy = await start(
    'proxy',
    nodeOptions,
    (port) => ({
      WHARF_ZK: zk.connectString,
      WHARF_ZK_CHROOT: CHROOT,
      WHARF_ID: 'proxy-bench',
      WHARF_PROXY_HOST: '127.0.0.1',
      WHARF_PROXY_PORT: String(port),
      WHARF_PROXY_WORKERS: '1',
    }),
    async (port, agent) => (await get(port, agent, '/', { 'x-wharf-deployment': last })).status === 200,
  );
  try {
    return await measure(proxy, async () => null);
  } finally {
    await stop(proxy);
  }
}

/** CPU seconds (user + system) `pid` has used, from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/**
 * The constructor has no "everything cached" endpoint: it counts as loaded once it leads and
 * has been quiet (under 5 % of a core) for two seconds, i.e. it has read the tree and acted on it
 * (with no allocator alive, the seeded pending plans fail for want of capacity).
 */
/** How long a leading constructor may stay busy before the run fails (bounded, not measured busy). */
const QUIET_DEADLINE_MS = 120_000;

async function runConstructor(zk, home, nodeOptions) {
  let quietSince;
  let last;
  let leadingSince;
  const constructorProc = await start(
    'constructor',
    nodeOptions,
    (port) => ({
      WHARF_ZK: zk.connectString,
      WHARF_ZK_CHROOT: CHROOT,
      WHARF_HOME: home,
      WHARF_ID: 'constructor-bench',
      WHARF_METRICS_PORT: String(port),
    }),
    async (port, agent, child) => {
      const health = await get(port, agent, '/health');
      if (health.status !== 200 || !health.text.includes('leading')) return false;
      const now = { t: Date.now(), cpu: cpuSeconds(child.pid) };
      leadingSince ??= now.t;
      if (last !== undefined && now.t - last.t < 1000) return false; // judged over whole seconds
      const rate = last === undefined ? 1 : (now.cpu - last.cpu) / ((now.t - last.t) / 1000);
      if (now.t - leadingSince > QUIET_DEADLINE_MS) {
        child.kill('SIGKILL');
        throw new Error(
          `constructor not quiet ${QUIET_DEADLINE_MS / 1000} s after leading (${(rate * 100).toFixed(0)} % of a core)`,
        );
      }
      const busy = rate > 0.05;
      last = now;
      if (busy) quietSince = undefined;
      else quietSince ??= now.t;
      return quietSince !== undefined && now.t - quietSince >= 2000;
    },
  );
  try {
    return await measure(constructorProc, async () => {
      const { text } = await get(constructorProc.port, constructorProc.agent, '/metrics');
      return {
        used: metric(text, 'nodejs_heap_size_used_bytes'),
        total: metric(text, 'nodejs_heap_size_total_bytes'),
      };
    });
  } finally {
    await stop(constructorProc);
  }
}

async function seed(session, upstreamPort) {
  await session.mkdirp(paths.deployments());
  await session.mkdirp(paths.routes());
  for (let a = 0; a < ALLOCATORS; a++) await session.mkdirp(paths.allocatorInstances(allocator(a)));
  await seedDeployments(
    session,
    Array.from({ length: COUNT }, (_, i) => deployment(i)),
  );
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < COUNT; i = next++) {
      await session.create(
        paths.route(`r${i}`),
        serializeDocument('route', benchRoute(`r${i}`, upstreamPort)),
      );
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-memory-'));
const zk = new EmbeddedZooKeeper({ dataDir: join(dir, 'zk'), port: await freePort() });
const runs = [];
// Every route's one instance: a 200 from the bench process.
const upstream = http.createServer((req, res) => res.end('ok'));
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
let session;
try {
  await zk.start();
  session = new ZkSession({ connectString: zk.connectString, chroot: CHROOT, sessionTimeoutMs: 10_000 });
  await session.start();
  await seed(session, upstream.address().port);
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved, the order flipped every round, so drifting load favours neither variant.
    const order = round % 2 === 0 ? ['before', 'runner'] : ['runner', 'before'];
    for (const variant of order) {
      const flags = VARIANTS[variant];
      runs.push({
        round,
        variant,
        service: 'api',
        flags: flags.api,
        ...(await runApi(zk, join(dir, 'home'), flags.api)),
      });
      runs.push({
        round,
        variant,
        service: 'proxy',
        flags: flags.proxy,
        ...(await runProxy(zk, flags.proxy)),
      });
    }
  }
  // The constructor acts on what it reads: with no allocator alive it fails the seeded pending
  // plans and marks every route's instance unavailable. So it runs after the api and proxy rounds,
  // once unmeasured to settle the tree, then per variant on the settled tree (the steady state of
  // a leader with N deployments, not its first reaction to them).
  const home = join(dir, 'home');
  await runConstructor(zk, home, VARIANTS.runner.constructor);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['before', 'runner'] : ['runner', 'before'];
    for (const variant of order) {
      const flags = VARIANTS[variant].constructor;
      runs.push({
        round,
        variant,
        service: 'constructor',
        flags,
        ...(await runConstructor(zk, home, flags)),
      });
    }
  }
} finally {
  upstream.close();
  await session?.close();
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => quantile(xs, 0.5);
const summary = [];
for (const service of ['api', 'proxy', 'constructor']) {
  for (const variant of Object.keys(VARIANTS)) {
    const mine = runs.filter((r) => r.service === service && r.variant === variant);
    const pick = (f) => mine.map(f);
    summary.push({
      service,
      variant,
      flags: VARIANTS[variant][service] || '(none)',
      loaded_mb: median(pick((r) => r.loaded_mb)),
      peak_mb: median(pick((r) => r.peak_mb)),
      idle_mb: median(pick((r) => r.idle_mb)),
      ready_s: median(pick((r) => r.ready_s)),
      loaded_range_mb: [Math.min(...pick((r) => r.loaded_mb)), Math.max(...pick((r) => r.loaded_mb))],
    });
  }
}
const meta = { cpus: cpus().length, load: loadavg()[0], count: COUNT, rounds: ROUNDS, idle_ms: IDLE_MS };
if (values.json) console.log(JSON.stringify({ ...meta, summary, runs }, null, 2));
else {
  console.log(
    `control-plane memory (${meta.cpus} CPUs, load ${meta.load.toFixed(1)}): api and constructor with ${COUNT} deployments, proxy with ${COUNT} routes, ${ROUNDS} round(s), medians`,
  );
  for (const s of summary) {
    const verdict = s.loaded_mb <= GOAL_RSS_MB ? 'goal ≤ 250 met' : 'goal ≤ 250 MISSED';
    console.log(
      `  ${s.service.padEnd(11)} ${s.variant.padEnd(6)} [${s.flags}]: RSS ${s.loaded_mb.toFixed(0)} MB loaded (${verdict}), ` +
        `range ${s.loaded_range_mb.map((x) => x.toFixed(0)).join('–')}; peak ${s.peak_mb.toFixed(0)}, ` +
        `${s.idle_mb.toFixed(0)} MB after ${IDLE_MS / 1000} s idle; ready in ${s.ready_s.toFixed(1)} s`,
    );
  }
}
