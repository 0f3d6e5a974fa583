#!/usr/bin/env node
// shutdown-start: how long a 3-zone etcd deployment takes to go unroutable after `POST _shutdown`
// (proxy answers 503 WHARF_DEPLOYMENT_SHUT_DOWN) and to serve again after `POST _start` (a GET
// through the proxy answers 200), and how long each plan attempt takes to complete, on a platform
// started by `wharf up` (process runtime). Prints each cycle and the medians.
//   node bench/shutdown-start.mjs [--runs 5]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { etcdPlan, proxyGet, quantile, sleep, startPlatform } from './lib/platform.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
/** Longest wait for one transition before the run is abandoned. */
const STEP_TIMEOUT_MS = 120_000;

const { api, proxyPorts, down } = await startPlatform();
const [p1] = proxyPorts;
/** Polls `check` every 10 ms until true; ms since `t0`. */
async function until(t0, what, check) {
  while (!(await check())) {
    if (performance.now() - t0 > STEP_TIMEOUT_MS) throw new Error(`${what} not reached`);
    await sleep(10);
  }
  return performance.now() - t0;
}
const settled = async (id) => (await api('GET', `/deployments/${id}/plan`)).body?.pending === null;

const figures = { unroutable: [], shutdownPlan: [], serving: [], startPlan: [] };
try {
  const created = await api('POST', '/deployments', etcdPlan('bench-actions', 3));
  if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
  const id = created.body.id;
  await until(performance.now(), 'routable', async () => (await proxyGet(p1, id, '/health')) === 200);
  await until(performance.now(), 'settled', () => settled(id));
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    if ((await api('POST', `/deployments/${id}/_shutdown`)).status !== 202)
      throw new Error('shutdown refused');
    figures.unroutable.push(
      await until(t0, 'shut down', async () => (await proxyGet(p1, id, '/health')) === 503),
    );
    figures.shutdownPlan.push(await until(t0, 'shutdown plan', () => settled(id)));
    t0 = performance.now();
    if ((await api('POST', `/deployments/${id}/_start`)).status !== 202) throw new Error('start refused');
    figures.serving.push(await until(t0, 'serving', async () => (await proxyGet(p1, id, '/health')) === 200));
    figures.startPlan.push(await until(t0, 'start plan', () => settled(id)));
    const ms = (k) => `${figures[k].at(-1).toFixed(0)} ms`;
    console.log(
      `cycle ${i + 1}/${RUNS}: unroutable ${ms('unroutable')} (plan ${ms('shutdownPlan')}), serving again ${ms('serving')} (plan ${ms('startPlan')})`,
    );
  }
} finally {
  down();
}
const median = (k) => `${quantile(figures[k], 0.5).toFixed(0)} ms`;
console.log(`\nshutdown-start, 3-zone etcd (128 MB members), ${RUNS} cycles, ${cpus().length} cores`);
console.log(
  `median: _shutdown → proxy 503 ${median('unroutable')}, shutdown plan done ${median('shutdownPlan')}; _start → proxy 200 ${median('serving')}, start plan done ${median('startPlan')}`,
);
