#!/usr/bin/env node
// Fleet benchmark: N simulated allocators (@wharf/simulator) against a real ZooKeeper and the real
// constructor (its built main.js, a child process), through three scenarios:
//   1. create: M deployments written at once (one in 3 three-zone, the rest single-instance);
//   2. host loss: 5 % of the allocators that host instances lose their live node at once;
//   3. plan burst: a size change for min(M, --burst) deployments at once (grow_and_shrink).
// Prints medians/p95 of plan-to-running and of the constructor's placement step per plan,
// placements per second, the constructor's CPU and RSS, ZooKeeper's znode count, data size and
// watches, the simulator's memory, and (first, same ZooKeeper) the raw ZooKeeper write rate.
//   node bench/fleet/run.mjs [--allocators 1000] [--deployments N] [--burst 200] [--quick]
//                            [--cpu-prof DIR] [--json FILE] [--start-delay 100-300] [--group-commit]
//                            [--leader-timeout MS] [--count-requests FILE] [--node-options=FLAGS]
// `--leader-timeout`: WHARF_LEADER_SESSION_TIMEOUT_MS of the constructor (default: its own, 2 s).
// `--count-requests`: counts the constructor's ZooKeeper requests by operation (lib/count-requests.mjs).
// `--node-options`: NODE_OPTIONS of the constructor alone (V8 flags; the runner gives it
// `serviceNodeOptions('constructor')` of @wharf/runner; without this flag it runs on V8's defaults).
// `--group-commit`: the constructor runs with WHARF_CONSTRUCTOR_GROUP_COMMIT=on.
// `--quick`: 60 allocators, 30 deployments, burst 10 (a CI-sized smoke run).
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { quantile } from '../lib/platform.mjs';
import { bootstrap, startConstructor, startZooKeeper } from './lib/platform.mjs';
import { createMany, loseHosts, planBurst, rawWriteRate } from './lib/scenarios.mjs';
import { AttemptWatcher, watchRoutes } from './lib/watch.mjs';

const require = createRequire(import.meta.url);
const { SimulatedFleet } = require('@wharf/simulator');

const { values } = parseArgs({
  options: {
    allocators: { type: 'string', default: '1000' },
    deployments: { type: 'string' },
    burst: { type: 'string', default: '200' },
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
    'start-delay': { type: 'string', default: '100-300' },
    'group-commit': { type: 'boolean', default: false },
    'leader-timeout': { type: 'string' },
    'node-options': { type: 'string' },
    'count-requests': { type: 'string' },
  },
});
const N = values.quick ? 60 : Number(values.allocators);
const M = values.quick ? 30 : Number(values.deployments ?? N);
const BURST = values.quick ? 10 : Number(values.burst);
const [delayMin, delayMax] = values['start-delay'].split('-').map(Number);
/** One deployment in 3 is three-zone: ~1.67 instances per deployment. */
const THREE_ZONE_EVERY = 3;
/** Instances of 128 MB grown to 256 MB by the burst; 16 GB allocators never run short. */
const MEMORY_MB = 128;
const BURST_MEMORY_MB = 256;
/** 5 % of the hosts die at once (the issue's scenario). */
const HOST_LOSS_SHARE = 0.05;
/**
 * Allocator-loss grace of the constructor for this run: short, so the host-loss figure is the
 * constructor's reaction rather than the default 15 s wait (subtracted in the report).
 */
const GRACE_MS = 1000;
const RAW_WRITES = values.quick ? 1000 : 5000;
const RAW_IN_FLIGHT = 128;
/** How the scenarios write plans (`lib/scenarios.mjs`): as many api requests at once. */
const WRITE_CONCURRENCY_NOTE = '64 at once';

const fmt = (xs) =>
  xs.length === 0
    ? 'n/a'
    : `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p95 ${quantile(xs, 0.95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
const mb = (n) => `${n.toFixed(0)} MB`;
/** p50 of each step's duration, and of the wait before the attempt started, over the samples. */
const stepBreakdown = (samples) => {
  const out = {
    'plan-to-attempt': Math.round(
      quantile(
        samples.map((s) => s.startedAfterMs),
        0.5,
      ),
    ),
  };
  for (const step of new Set(samples.flatMap((s) => Object.keys(s.steps))))
    out[step] = Math.round(
      quantile(
        samples.map((s) => s.steps[step] ?? 0),
        0.5,
      ),
    );
  out['between-steps'] = Math.round(
    quantile(
      samples.map((s) => s.betweenStepsMs),
      0.5,
    ),
  );
  out.gaps = [0, 1, 2, 3, 4, 5, 6].map((i) =>
    Math.round(
      quantile(
        samples.map((s) => s.gaps[i] ?? 0),
        0.5,
      ),
    ),
  );
  return out;
};

/**
 * The create as the constructor's own timestamps tell it (first attempt start → last attempt end),
 * independent of how late this busy process saw the results; and that lateness (end → seen).
 */
const constructorSide = (samples, instances) => {
  const ended = samples.filter((s) => Number.isFinite(s.attemptEndAt));
  if (ended.length === 0) return { spanMs: NaN, placementsPerSec: NaN, seenLagP50: NaN };
  const first = Math.min(...ended.map((s) => s.attemptStartAt));
  const last = Math.max(...ended.map((s) => s.attemptEndAt));
  const lags = ended.map((s) => s.doneAt - s.attemptEndAt);
  return {
    spanMs: last - first,
    placementsPerSec: instances / ((last - first) / 1000),
    seenLagP50: quantile(lags, 0.5),
  };
};

const server = await startZooKeeper();
const zk = await bootstrap(server.connectString);
const raw = await rawWriteRate(zk, { count: RAW_WRITES, inFlight: RAW_IN_FLIGHT });
console.log(
  `fleet bench: ${N} allocators, ${M} deployments, burst ${BURST}; ${cpus().length} cpus, load ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `raw ZooKeeper writes (1 session, ${RAW_IN_FLIGHT} in flight): create ${raw.createPerSec.toFixed(0)}/s, setData ${raw.setPerSec.toFixed(0)}/s`,
);

const fleet = new SimulatedFleet({
  connectString: server.connectString,
  count: N,
  startDelayMs: { min: delayMin, max: delayMax },
});
let t = performance.now();
await fleet.start();
const registerMs = performance.now() - t;
console.log(`fleet registered in ${registerMs.toFixed(0)} ms (${fleet.stats().sessions} sessions)`);

const attempts = new AttemptWatcher(zk);
await attempts.start();
const routes = { latest: new Map(), listener: undefined };
const routeCache = watchRoutes(zk, (d, route, at) => {
  routes.latest.set(d, route);
  routes.listener?.(d, route, at);
});
await routeCache.start();
const constructor = await startConstructor({
  connectString: server.connectString,
  zk,
  graceMs: GRACE_MS,
  cpuProfDir: values['cpu-prof'],
  groupCommit: values['group-commit'],
  leaderTimeoutMs: values['leader-timeout'] ? Number(values['leader-timeout']) : undefined,
  requestCounts: values['count-requests'],
  nodeOptions: values['node-options'],
});
const ctx = { zk, fleet, attempts, routes };
const report = {
  allocators: N,
  deployments: M,
  burst: BURST,
  raw,
  registerMs,
  load: loadavg()[0],
  groupCommit: values['group-commit'],
};
console.log(
  `constructor group commit: ${values['group-commit'] ? 'on' : 'off'}; leader session timeout: ${values['leader-timeout'] ?? 'default'}; NODE_OPTIONS: ${values['node-options'] ?? '(V8 defaults)'}`,
);

// 1. create
let before = constructor.usage();
const zkBefore = server.usage();
const packetsBefore = (await server.mntr()).zk_packets_received;
const created = await createMany(ctx, { count: M, threeZoneEvery: THREE_ZONE_EVERY, memoryMb: MEMORY_MB });
let after = constructor.usage();
const zkCpuMs = server.usage().cpuMs - zkBefore.cpuMs;
const instances = created.samples.reduce((n, s) => n + s.instances, 0);
const failures = created.samples.filter((s) => s.status !== 'success').length;
report.create = {
  planToRunningP50: quantile(
    created.samples.map((s) => s.planToDoneMs),
    0.5,
  ),
  planToRunningP95: quantile(
    created.samples.map((s) => s.planToDoneMs),
    0.95,
  ),
  placementP50: quantile(
    created.samples.map((s) => s.placementMs ?? 0),
    0.5,
  ),
  placementP95: quantile(
    created.samples.map((s) => s.placementMs ?? 0),
    0.95,
  ),
  wallMs: created.wallMs,
  writeMs: created.writeMs,
  instances,
  placementsPerSec: instances / (created.wallMs / 1000),
  constructorCpuMs: after.cpuMs - before.cpuMs,
  zkCpuMs,
  failures,
  timedOut: created.timedOut,
};
console.log(`\n1. create ${M} deployments (${instances} instances) at once`);
console.log(
  `   plans written (${WRITE_CONCURRENCY_NOTE}) in ${(created.writeMs / 1000).toFixed(1)} s; plan-to-running: ${fmt(created.samples.map((s) => s.planToDoneMs))}`,
);
console.log(`   constructor placement step per plan: ${fmt(created.samples.map((s) => s.placementMs ?? 0))}`);
report.create.steps = stepBreakdown(created.samples);
console.log(`   per step p50 (ms): ${JSON.stringify(report.create.steps)}`);
console.log(
  `   all done in ${(created.wallMs / 1000).toFixed(1)} s: ${report.create.placementsPerSec.toFixed(0)} placements/s, ${(M / (created.wallMs / 1000)).toFixed(0)} plans/s; failed ${failures}${created.timedOut ? ' (TIMED OUT)' : ''}`,
);
report.create.constructorSide = constructorSide(created.samples, instances);
console.log(
  `   constructor side: first attempt started → last attempt ended in ${(report.create.constructorSide.spanMs / 1000).toFixed(1)} s (${report.create.constructorSide.placementsPerSec.toFixed(0)} placements/s); attempt end → seen by the bench p50 ${report.create.constructorSide.seenLagP50.toFixed(0)} ms`,
);
console.log(
  `   constructor CPU ${(report.create.constructorCpuMs / 1000).toFixed(1)} s (${(report.create.constructorCpuMs / Math.max(1, instances)).toFixed(2)} ms per placement); RSS ${mb(after.rssMb)} (peak ${mb(after.hwmMb)}); ZooKeeper CPU ${(zkCpuMs / 1000).toFixed(1)} s (${(zkCpuMs / Math.max(1, instances)).toFixed(2)} ms per placement)`,
);
const mntr = await server.mntr();
report.create.zkRequests = mntr.zk_packets_received - packetsBefore;
console.log(
  `   ZooKeeper requests received during the create (all clients, mntr zk_packets_received): ${report.create.zkRequests} (${(report.create.zkRequests / M).toFixed(1)} per plan)`,
);
report.zk = {
  znodes: mntr.zk_znode_count,
  dataBytes: mntr.zk_approximate_data_size,
  watches: mntr.zk_watch_count,
};
console.log(
  `   ZooKeeper: ${mntr.zk_znode_count} znodes, ${(mntr.zk_approximate_data_size / 1e6).toFixed(1)} MB data, ${mntr.zk_watch_count} watches, ${mntr.zk_num_alive_connections} connections`,
);

// 2. host loss
before = constructor.usage();
const loss = await loseHosts(ctx, { share: HOST_LOSS_SHARE });
after = constructor.usage();
report.hostLoss = {
  lost: loss.lost,
  affected: loss.affected.length,
  p50: quantile(loss.times, 0.5),
  p95: quantile(loss.times, 0.95),
  graceMs: GRACE_MS,
  constructorCpuMs: after.cpuMs - before.cpuMs,
  timedOut: loss.timedOut,
};
console.log(
  `\n2. lose ${loss.lost} hosts (${(HOST_LOSS_SHARE * 100).toFixed(0)} %) at once: ${loss.affected.length} deployments affected`,
);
console.log(
  `   live node gone → route marked unhealthy (grace ${GRACE_MS} ms included): ${fmt(loss.times)}${loss.timedOut ? ' (TIMED OUT)' : ''}`,
);

// 3. plan burst
before = constructor.usage();
const burst = await planBurst(ctx, { count: BURST, memoryMb: BURST_MEMORY_MB, avoid: loss.lostIds });
after = constructor.usage();
report.burst = {
  plans: burst.written,
  p50: quantile(
    burst.samples.map((s) => s.planToDoneMs),
    0.5,
  ),
  p95: quantile(
    burst.samples.map((s) => s.planToDoneMs),
    0.95,
  ),
  placementP50: quantile(
    burst.samples.map((s) => s.placementMs ?? 0),
    0.5,
  ),
  wallMs: burst.wallMs,
  failures: burst.samples.filter((s) => s.status !== 'success').length,
  constructorCpuMs: after.cpuMs - before.cpuMs,
  timedOut: burst.timedOut,
};
console.log(
  `\n3. burst of ${burst.written} plan changes (size ${MEMORY_MB} → ${BURST_MEMORY_MB} MB, grow_and_shrink)`,
);
console.log(`   plan-to-done: ${fmt(burst.samples.map((s) => s.planToDoneMs))}`);
console.log(`   constructor placement step per plan: ${fmt(burst.samples.map((s) => s.placementMs ?? 0))}`);
console.log(
  `   all done in ${(burst.wallMs / 1000).toFixed(1)} s; failed ${report.burst.failures}${burst.timedOut ? ' (TIMED OUT)' : ''}`,
);

const final = constructor.usage();
const sim = process.memoryUsage();
report.constructor = { cpuMs: final.cpuMs, rssMb: final.rssMb, hwmMb: final.hwmMb };
report.simulator = { rssMb: sim.rss / 1048576, heapMb: sim.heapUsed / 1048576, ...fleet.stats() };
console.log(
  `\nconstructor total: CPU ${(final.cpuMs / 1000).toFixed(1)} s, RSS ${mb(final.rssMb)} (peak ${mb(final.hwmMb)})`,
);
console.log(
  `simulator (this process, ${N} allocators + watchers): RSS ${mb(report.simulator.rssMb)}, heap ${mb(report.simulator.heapMb)}; ${report.simulator.statusWrites} status writes, ${report.simulator.writeErrors} write errors`,
);

await constructor.stop();
report.constructor.logs = constructor.logCounts();
console.log(`constructor log (counted warnings): ${JSON.stringify(report.constructor.logs)}`);
const requests = constructor.requestCounts();
if (requests) {
  report.constructor.requests = requests;
  const { byPath = {}, loop, ...totals } = requests;
  const reads =
    (requests.getData ?? 0) +
    (requests.getChildren2 ?? 0) +
    (requests.getChildren ?? 0) +
    (requests.exists ?? 0);
  const plans = M + burst.written;
  console.log(
    `constructor requests (whole run, ${plans} plans): ${JSON.stringify(totals)}; reads ${reads} (${(reads / plans).toFixed(1)} per plan)`,
  );
  const top = Object.entries(byPath)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  console.log(`   constructor event-loop delay: ${JSON.stringify(loop)}`);
  console.log(`   most requested (operation, path): ${top.map(([k, v]) => `${v} ${k}`).join('; ')}`);
}
await routeCache.close();
await attempts.close();
await fleet.close();
await zk.close();
await server.close();
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
const ok =
  failures === 0 && !created.timedOut && !loss.timedOut && !burst.timedOut && report.burst.failures === 0;
if (!ok) {
  console.error('fleet bench: some plans failed or timed out');
  process.exit(1);
}
