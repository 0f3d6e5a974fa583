#!/usr/bin/env node
// plan-to-routable: time from `POST /deployments` to the first successful request through the
// proxy for a 3-zone etcd cluster. Starts its own platform with `wharf up --detach` on free
// ports in a temp WHARF_HOME, runs N creates (each deleted afterwards), prints median and p95.
//   node bench/plan-to-routable.mjs [--runs 10] [--zones 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { etcdPlan, freePort, proxyGet, quantile, sleep } from './lib/platform.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, zones: { type: 'string', default: '3' } },
});
const RUNS = Number(values.runs);
const ZONES = Number(values.zones);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/bin.js');

const home = mkdtempSync(join(tmpdir(), 'wharf-bench-'));
const [zkPort, apiPort, p1, p2] = [await freePort(), await freePort(), await freePort(), await freePort()];
// WHARF_RUNTIME: the allocators default to `auto` (Docker when the engine answers); this
// benchmark is about the process runtime (bench/plan-to-routable-docker.mjs is the Docker one).
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
  spawnSync(process.execPath, [CLI, 'down'], { env, timeout: 60_000 });
  rmSync(home, { recursive: true, force: true });
}
const sorted = [...durations].sort((a, b) => a - b);
const q = (p) => quantile(sorted, p);
console.log(`\nplan-to-routable, ${ZONES}-zone etcd, ${RUNS} runs, ${cpus().length} cores`);
console.log(
  `median ${q(0.5).toFixed(0)} ms  p95 ${q(0.95).toFixed(0)} ms  min ${sorted[0].toFixed(0)} ms  max ${sorted.at(-1).toFixed(0)} ms  (target: median <= 1500 ms)`,
);
