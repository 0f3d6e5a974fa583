#!/usr/bin/env node
// plan-to-routable: time from `POST /deployments` to the first successful request through the
// proxy for a 3-zone etcd cluster. Starts its own platform with `wharf up --detach` on free
// ports in a temp WHARF_HOME, runs N creates (each deleted afterwards), prints median and p95.
//   node bench/plan-to-routable.mjs [--runs 10] [--zones 3]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { etcdPlan, proxyGet, quantile, sleep, startPlatform } from './lib/platform.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, zones: { type: 'string', default: '3' } },
});
const RUNS = Number(values.runs);
const ZONES = Number(values.zones);

const { api, proxyPorts, down } = await startPlatform();
const [p1] = proxyPorts;
const plan = (i) => etcdPlan(`bench-${i}`, ZONES);

const durations = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const created = await api('POST', '/deployments', plan(i));
    if (created.status !== 201)
      throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    const deadline = t0 + 60_000;
    while ((await proxyGet(p1, id, '/health')) !== 200) {
      if (performance.now() > deadline) throw new Error(`deployment ${id} not routable after 60 s`);
      await sleep(10);
    }
    const ms = performance.now() - t0;
    durations.push(ms);
    console.log(`run ${i + 1}/${RUNS}: ${ms.toFixed(0)} ms`);
    await api('DELETE', `/deployments/${id}`);
    while ((await api('GET', `/deployments/${id}`)).status !== 404) await sleep(100);
  }
} finally {
  down();
}
const sorted = [...durations].sort((a, b) => a - b);
const q = (p) => quantile(sorted, p);
console.log(`\nplan-to-routable, ${ZONES}-zone etcd, ${RUNS} runs, ${cpus().length} cores`);
console.log(
  `median ${q(0.5).toFixed(0)} ms  p95 ${q(0.95).toFixed(0)} ms  min ${sorted[0].toFixed(0)} ms  max ${sorted.at(-1).toFixed(0)} ms  (target: median <= 1500 ms)`,
);
