#!/usr/bin/env node
// rolling-change: duration of a size change of a 3-member etcd deployment under each strategy
// (and of `_restart`), side by side, and the requests through the proxy that failed meanwhile.
// Starts its own platform with `wharf up --detach` on free ports in a temp WHARF_HOME; each run
// applies every change once (memory alternates 128 ↔ 144 MB so every change replaces all members).
//   node bench/rolling-change.mjs [--runs 3]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { etcdPlan, proxyGet, quantile, sleep, startPlatform, waitForPlan } from './lib/platform.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
/** The changes measured, each a strategy (or the restart action). */
const CHANGES = {
  grow_and_shrink: { grow_and_shrink: {} },
  'rolling __name__': { rolling: { group_by: '__name__' } },
  'rolling logical_zone_name': { rolling: { group_by: 'logical_zone_name' } },
  rolling_grow_and_shrink: { rolling_grow_and_shrink: {} },
  '_restart (rolling __name__)': 'restart',
};

const { api, proxyPorts, down } = await startPlatform();
const [p1] = proxyPorts;

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
  if ((await waitForPlan(api, id, created.body.plan_id)) !== 'success') throw new Error('create failed');
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
      const status = await waitForPlan(api, id, res.body.plan_id);
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
  down();
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
