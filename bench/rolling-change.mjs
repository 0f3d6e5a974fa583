#!/usr/bin/env node
// rolling-change: duration of a size change of a 3-member etcd deployment under each strategy
// (and of `_restart`), side by side, and the requests through the proxy that failed meanwhile.
// Starts its own platform with `wharf up --detach` on free ports in a temp WHARF_HOME; each run
// applies every change once (memory alternates 128 ↔ 144 MB so every change replaces all members).
//   node bench/rolling-change.mjs [--runs 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { etcdPlan, freePort, proxyGet, quantile, sleep } from './lib/platform.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
/** The changes measured, each a strategy (or the restart action). */
const CHANGES = {
  grow_and_shrink: { grow_and_shrink: {} },
  'rolling __name__': { rolling: { group_by: '__name__' } },
  'rolling logical_zone_name': { rolling: { group_by: 'logical_zone_name' } },
  rolling_grow_and_shrink: { rolling_grow_and_shrink: {} },
  '_restart (rolling __name__)': 'restart',
};

const home = mkdtempSync(join(tmpdir(), 'wharf-bench-'));
const [zkPort, apiPort, p1, p2] = [await freePort(), await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  WHARF_HOME: home,
  WHARF_ZK: `127.0.0.1:${zkPort}`,
  WHARF_LOG_LEVEL: 'warn',
  WHARF_RUNTIME: 'process',
};
const up = spawnSync(
  process.execPath,
  [
    CLI,
    'up',
    '--detach',
    '--zk-port',
    String(zkPort),
    '--api-port',
    String(apiPort),
    '--proxy-ports',
    `${p1},${p2}`,
    '--port-base',
    '12000',
  ],
  { env, encoding: 'utf8', timeout: 120_000 },
);
if (up.status !== 0) {
  console.error(up.stdout, up.stderr);
  process.exit(1);
}
const key = readFileSync(join(home, 'credentials/api-key'), 'utf8').trim();
const api = async (method, path, body) => {
  const r = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, {
    method,
    headers: { authorization: `ApiKey ${key}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => undefined) };
};

/** Waits until the attempt of `planId` is final; its status. */
async function waitForPlan(id, planId) {
  const deadline = performance.now() + 180_000;
  for (;;) {
    const res = await api('GET', `/deployments/${id}/plan/activity?size=1`);
    const a = res.body?.attempts?.[0];
    if (a?.plan_id === planId && ['success', 'error', 'cancelled'].includes(a.status)) return a.status;
    if (performance.now() > deadline) throw new Error(`plan ${planId} not final after 180 s`);
    await sleep(20);
  }
}

/** Sequential GET /health through the proxy until `stop()`; counts of ok and failed. */
function load(id) {
  let running = true;
  const counts = { ok: 0, failed: 0 };
  const done = (async () => {
    while (running) {
      if ((await proxyGet(p1, id, '/health')) === 200) counts.ok++;
      else counts.failed++;
    }
  })();
  return async () => {
    running = false;
    await done;
    return counts;
  };
}

const results = Object.fromEntries(Object.keys(CHANGES).map((k) => [k, { ms: [], failed: 0, total: 0 }]));
let memory = 128;
try {
  const created = await api('POST', '/deployments', etcdPlan('bench-rolling', 3));
  if (created.status !== 201)
    throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  if ((await waitForPlan(id, created.body.plan_id)) !== 'success') throw new Error('create failed');
  while ((await proxyGet(p1, id, '/health')) !== 200) await sleep(20);
  for (let run = 0; run < RUNS; run++) {
    for (const [name, strategy] of Object.entries(CHANGES)) {
      const stop = load(id);
      const t0 = performance.now();
      let res;
      if (strategy === 'restart') {
        res = await api('POST', `/deployments/${id}/_restart`);
      } else {
        memory = memory === 128 ? 144 : 128;
        const body = etcdPlan('bench-rolling', 3);
        body.resources.etcd[0].plan.cluster_topology[0].size.value = memory;
        body.resources.etcd[0].plan.transient = { strategy };
        res = await api('PUT', `/deployments/${id}`, body);
      }
      if (res.status !== 202) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
      const status = await waitForPlan(id, res.body.plan_id);
      const ms = performance.now() - t0;
      const counts = await stop();
      if (status !== 'success') throw new Error(`${name}: attempt ${status}`);
      results[name].ms.push(ms);
      results[name].failed += counts.failed;
      results[name].total += counts.ok + counts.failed;
      console.log(
        `run ${run + 1}/${RUNS} ${name}: ${ms.toFixed(0)} ms, failed ${counts.failed}/${counts.ok + counts.failed}`,
      );
    }
  }
} finally {
  spawnSync(process.execPath, [CLI, 'down'], { env, timeout: 60_000 });
  rmSync(home, { recursive: true, force: true });
}
console.log(`\nrolling-change, 3-member etcd (128/144 MB), ${RUNS} runs, ${cpus().length} cores`);
console.log('| change | median | min | max | failed requests / total |');
console.log('|---|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  const s = [...r.ms].sort((a, b) => a - b);
  console.log(
    `| ${name} | ${quantile(s, 0.5).toFixed(0)} ms | ${s[0].toFixed(0)} ms | ${s.at(-1).toFixed(0)} ms | ${r.failed} / ${r.total} |`,
  );
}
