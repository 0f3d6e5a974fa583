#!/usr/bin/env node
// plan-to-routable, Docker mode: time from `POST /deployments` to the first `200` through the
// proxy (`GET /health`, Host `<id>.localhost`) for a 3-zone etcd cluster whose members are Docker
// containers. Independent of `wharf up`: starts its own embedded ZooKeeper and the built services
// as plain Node processes (api, constructor, 3 allocators with WHARF_RUNTIME=docker in
// zone-a/b/c, proxy) on loopback, runs N creates (each deleted, and its containers gone, before
// the next), prints median and p95 and a per-step breakdown, and removes every container it made.
// The breakdown joins the plan steps, the allocators' logs and etcd's own log (`docker logs`, or
// the process runtime's output.log) into legs: POST → last member started → all peers connected
// (etcd fast-forwards its election ticks) → first leader → members ready → probes pass → routable.
//   node bench/plan-to-routable-docker.mjs [--runs 10] [--zones 3] [--port-base 24000]
//       [--allocator-env K=V,K2=V2]   extra allocator environment (e.g. to compare a setting)
//       [--variant 'label={"bootstrap_stagger_ms":0}']...  etcd user_settings per variant; runs
//                                     alternate between the variants (before/after side by side)
//       [--runtime process]           the same measurement with process instances (default docker;
//                                     no engine needed then)
//       [--verbose]                   per-run breakdown lines
//       [--root /tmp/main-copy]       run that checkout's built services (default: this one)
//       [--keep-logs]                 leave the services' debug logs (and ZooKeeper's data) behind
// Docker mode needs a running Docker engine and the wharf/etcd image (`bash docker/build.sh`), and a build
// (`npx tsc -b tsconfig.json`).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { docker, dockerTimeline, printBreakdown, processTimeline } from './lib/etcd-timeline.mjs';
import { apiClient, etcdPlan, freePort, proxyGet, quantile, sleep } from './lib/platform.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    zones: { type: 'string', default: '3' },
    'port-base': { type: 'string', default: '24000' },
    'allocator-env': { type: 'string', default: '' },
    variant: { type: 'string', multiple: true, default: [] },
    runtime: { type: 'string', default: 'docker' },
    verbose: { type: 'boolean', default: false },
    root: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
if (!['docker', 'process'].includes(values.runtime)) {
  console.error('--runtime: docker or process');
  process.exit(2);
}
const ZONES = Number(values.zones);
/** Issue 13 part 5: median plan-to-routable <= 500 ms with process instances, <= 1 s with Docker. */
const GOAL_MS = values.runtime === 'docker' ? 1_000 : 500;
const PORT_BASE = Number(values['port-base']);
if (!(PORT_BASE >= 1024 && PORT_BASE + ZONES * 100 < 32768)) {
  console.error('--port-base: instance ports must stay in 1024-32767 (below the ephemeral range)');
  process.exit(2);
}
const EXTRA_ALLOCATOR_ENV = Object.fromEntries(
  values['allocator-env']
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
/** `--variant 'label={"bootstrap_stagger_ms":0}'` (repeatable): etcd user_settings per variant. */
const VARIANTS = (values.variant.length > 0 ? values.variant : ['default={}']).map((text) => {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    console.error(`--variant ${text}: expected label={...user_settings JSON...}`);
    process.exit(2);
  }
  return { label: text.slice(0, eq), settings: JSON.parse(text.slice(eq + 1)), durations: [], breakdown: [] };
});
/** `--root <checkout>`: the built services of another checkout (a before/after pair on one box). */
const ROOT = resolve(values.root ?? join(import.meta.dirname, '..'));
const { EmbeddedZooKeeper } = await import(join(ROOT, 'packages/zk/dist/index.js'));

async function until(what, fn, ms = 60_000, every = 50) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

const tag = randomBytes(3).toString('hex');
const allocatorIds = Array.from({ length: ZONES }, (_, i) => `bench-${tag}-${String.fromCharCode(97 + i)}`);
const home = mkdtempSync(join(tmpdir(), 'wharf-bench-docker-'));
const children = [];
const zk = new EmbeddedZooKeeper({ dataDir: join(home, 'zk'), port: await freePort() });

function removeContainers() {
  const ids = allocatorIds.flatMap((id) =>
    docker(['ps', '-aq', '--filter', `label=wharf.allocator=${id}`])
      .split('\n')
      .filter(Boolean),
  );
  if (ids.length > 0) docker(['rm', '-f', '-v', ...ids]);
  return ids.length;
}

function startService(service, id, extra) {
  const log = join(home, `${id}.log`);
  const out = createWriteStream(log);
  const child = spawn(process.execPath, [join(ROOT, `services/${service}/dist/main.js`)], {
    env: {
      ...process.env,
      WHARF_ZK: zk.connectString,
      WHARF_HOME: home,
      WHARF_LOG_LEVEL: 'debug',
      WHARF_ID: id,
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  children.push({ id, child, log });
  return child;
}

/** JSON log lines of a service, with `ts` in epoch ms. */
function readLog(id) {
  const entry = children.find((c) => c.id === id);
  return readFileSync(entry.log, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const doc = JSON.parse(line);
        return [{ ...doc, ts: Date.parse(doc.timestamp) }];
      } catch {
        return [];
      }
    });
}

/**
 * The constructor's milestones for deployment `id`, ms after the POST: attempt started, held
 * specs written, holds released. Told apart by their fields, not the line's text (a build before
 * the third pass logged every step line under the same message).
 */
function constructorTimeline(lines, id, wall0) {
  const mine = lines.filter((l) => l.ts >= wall0 && l.deployment === id);
  const at = (pred) => {
    const l = mine.find(pred);
    return l ? l.ts - wall0 : undefined;
  };
  const progress = (step, field) => (l) =>
    l.message === 'attempt step progress' && l.step === step && l[field] !== undefined;
  return {
    attempt: at((l) => l.message === 'attempt started'),
    specs: at(progress('allocate-instances', 'count')),
    released: at(progress('start-instances', 'cluster')),
  };
}

/** POST → the first member started, in legs (medians over runs of later − earlier milestone). */
function printConstructorLegs(breakdown) {
  const leg = (f) => {
    const xs = breakdown.map(f).filter((x) => Number.isFinite(x));
    return xs.length === 0
      ? undefined
      : Math.round(
          quantile(
            [...xs].sort((a, b) => a - b),
            0.5,
          ),
        );
  };
  const last = (b, k) => Math.max(...b.members.map((m) => m[k] ?? NaN));
  const first = (b, k) => Math.min(...b.members.map((m) => m[k] ?? NaN));
  const inverted = breakdown.filter((b) =>
    b.members.some((m, n) => n > 0 && m.started < b.members[n - 1].started),
  );
  const legs = {
    'POST->attempt started': leg((b) => b.constructor.attempt),
    'attempt->held specs written': leg((b) => b.constructor.specs - b.constructor.attempt),
    'specs->last reserved': leg((b) => last(b, 'reserved') - b.constructor.specs),
    'last reserved->released': leg((b) => b.constructor.released - last(b, 'reserved')),
    'released->first started': leg((b) => first(b, 'started') - b.constructor.released),
    'first started->last started (stagger)': leg((b) => last(b, 'started') - first(b, 'started')),
  };
  console.log('  median constructor legs (ms):', JSON.stringify(legs));
  console.log(`  runs with members started out of member order: ${inverted.length} of ${breakdown.length}`);
}

async function shutdown() {
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((res) => {
          if (child.exitCode !== null || child.signalCode !== null) return res();
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.once('exit', () => {
            clearTimeout(timer);
            res();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  const left = removeContainers();
  if (left > 0) console.error(`removed ${left} leftover container(s)`);
  await zk.stop().catch(() => undefined);
  if (values['keep-logs']) console.log(`logs kept in ${home}`);
  else rmSync(home, { recursive: true, force: true });
}

const load = loadavg();
const started = new Date();
try {
  await zk.start();
  const [apiPort, proxyPort] = [await freePort(), await freePort()];
  startService('api', 'api-1', {
    WHARF_API_HOST: '127.0.0.1',
    WHARF_API_PORT: String(apiPort),
    WHARF_PUBLIC_PROXY_URL: `http://{id}.localhost:${proxyPort}`,
  });
  await until('the api', async () => (await fetch(`http://127.0.0.1:${apiPort}/api/v1/health`)).ok);
  startService('constructor', 'constructor-1', { WHARF_METRICS_PORT: String(await freePort()) });
  allocatorIds.forEach((id, i) =>
    startService('allocator', id, {
      WHARF_RUNTIME: values.runtime,
      WHARF_ZONE: `zone-${String.fromCharCode(97 + i)}`,
      WHARF_ALLOCATOR_HOST: '127.0.0.1',
      WHARF_PORT_RANGE: `${PORT_BASE + i * 100}-${PORT_BASE + i * 100 + 99}`,
      WHARF_CAPACITY_MB: '4096',
      WHARF_STOP_INSTANCES: 'true',
      ...EXTRA_ALLOCATOR_ENV,
    }),
  );
  startService('proxy', 'proxy-1', {
    WHARF_PROXY_HOST: '127.0.0.1',
    WHARF_PROXY_PORT: String(proxyPort),
    WHARF_ZONE: 'zone-a',
  });
  const key = readFileSync(join(home, 'credentials/api-key'), 'utf8').trim();
  const api = apiClient(apiPort, key);
  await until('the proxy', async () => {
    const r = await fetch(`http://127.0.0.1:${proxyPort}/_health`);
    return r.ok;
  });
  await until('the allocators', async () => {
    const r = await api('GET', '/platform/allocators');
    const list = r.body?.allocators ?? r.body ?? [];
    const live = list.filter((a) => allocatorIds.includes(a.id) && a.connected !== false);
    return live.length === ZONES;
  });
  // Each variant is a set of etcd `user_settings`; runs alternate between the variants so a
  // before/after pair is measured side by side on the same platform and load.
  const plan = (name, settings) =>
    etcdPlan(name, ZONES, Object.keys(settings).length > 0 ? settings : undefined);
  // Warm-up (one per variant): the first container start on a fresh engine pays one-off costs
  // (image layers into the page cache, cgroup setup); not counted.
  const total = RUNS * VARIANTS.length;
  for (let i = -VARIANTS.length; i < total; i++) {
    const variant = VARIANTS[(i + VARIANTS.length) % VARIANTS.length];
    const t0 = performance.now();
    const wall0 = Date.now();
    const created = await api(
      'POST',
      '/deployments',
      plan(i < 0 ? `warm-up-${i + VARIANTS.length}` : `bench-${i}`, variant.settings),
    );
    if (created.status !== 201)
      throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    const deadline = t0 + 60_000;
    while ((await proxyGet(proxyPort, id, '/health')) !== 200) {
      if (performance.now() > deadline) throw new Error(`deployment ${id} not routable after 60 s`);
      await sleep(10);
    }
    const ms = performance.now() - t0;
    // Breakdown: plan steps, and per member the allocator's timeline relative to the POST.
    const activity = await until('the plan to finish', async () => {
      const r = await api('GET', `/deployments/${id}/plan/activity`);
      const steps = r.body?.attempts?.[0]?.plan_attempt_log;
      return steps?.some((s) => s.step_id === 'plan-completed') ? steps : undefined;
    }).catch(() => []);
    const steps = Object.fromEntries(activity.map((s) => [s.step_id, s.duration_in_millis]));
    const members = allocatorIds.map((aid) => {
      const lines = readLog(aid).filter((l) => l.ts >= wall0);
      const at = (msg) => {
        const l = lines.find((x) => x.message === msg);
        return l ? l.ts - wall0 : undefined;
      };
      const created = lines.find((x) => x.message === 'container created');
      const started = lines.find((x) => x.message === 'container started');
      return {
        reserved: at('ports reserved'),
        created: at('container created'),
        started: at('container started'),
        healthy: at('instance healthy'),
        createMs: created?.ms,
        startMs: started?.ms,
        ...(values.runtime === 'docker' ? dockerTimeline(aid, wall0) : processTimeline(home, aid, id, wall0)),
      };
    });
    const constructor = constructorTimeline(readLog('constructor-1'), id, wall0);
    if (i >= 0) {
      const record = { ms, steps, members, constructor };
      variant.durations.push(ms);
      variant.breakdown.push(record);
      console.log(`run ${Math.floor(i / VARIANTS.length) + 1}/${RUNS} ${variant.label}: ${ms.toFixed(0)} ms`);
      if (values.verbose) {
        console.log(`  steps ${JSON.stringify(steps)}`);
        console.log(`  constructor ${JSON.stringify(constructor)}`);
        for (const [n, m] of members.entries()) console.log(`  member ${n}: ${JSON.stringify(m)}`);
      }
    } else {
      console.log(`warm-up ${variant.label}: ${ms.toFixed(0)} ms (not counted)`);
    }
    await api('DELETE', `/deployments/${id}`);
    await until(
      'the delete',
      async () => (await api('GET', `/deployments/${id}`)).status === 404,
      60_000,
      100,
    );
    await until(
      'the containers to go',
      async () =>
        allocatorIds.every((aid) =>
          values.runtime === 'docker'
            ? docker(['ps', '-aq', '--filter', `label=wharf.allocator=${aid}`]) === ''
            : processTimeline(home, aid, id, wall0).etcdUp === undefined,
        ),
      60_000,
      100,
    );
  }
} finally {
  await shutdown();
}
console.log(
  `\nplan-to-routable (${values.runtime}), ${ZONES}-zone etcd, ${RUNS} runs per variant, ${cpus().length} cores, ` +
    `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, load ${load.map((l) => l.toFixed(2)).join(' ')} ` +
    `(at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
);
if (Object.keys(EXTRA_ALLOCATOR_ENV).length > 0)
  console.log(`allocator env: ${JSON.stringify(EXTRA_ALLOCATOR_ENV)}`);
for (const variant of VARIANTS.filter((v) => v.durations.length > 0)) {
  const sorted = [...variant.durations].sort((a, b) => a - b);
  const q = (p) => quantile(sorted, p);
  const { breakdown } = variant;
  console.log(`\n[${variant.label}] user_settings ${JSON.stringify(variant.settings)}`);
  console.log(`  samples ${sorted.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(
    `  median ${q(0.5).toFixed(0)} ms  p95 ${q(0.95).toFixed(0)} ms  min ${sorted[0].toFixed(0)} ms  max ${sorted.at(-1).toFixed(0)} ms  (goal, issue 13 part 5: median <= ${GOAL_MS} ms)`,
  );
  printBreakdown(breakdown);
  printConstructorLegs(breakdown);
}
