#!/usr/bin/env node
// Runs every benchmark in turn (`npm run bench`); each prints its own figures.
//   node bench/run-all.mjs [--quick] [--only a,b] [--skip a,b] [--skip-platform]
// `--quick` runs each in a CI-sized form (seconds, not minutes: the figures mean little, the point
// is that every script still runs against today's code; test/bench-smoke.test.ts runs those
// that start no whole platform: `--quick --skip-platform`). The Docker-mode benchmark runs only when a Docker engine answers
// and holds wharf/etcd:3.4 (`bash docker/build.sh`); the console's only with a browser.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = import.meta.dirname;
const CHROMIUM = process.env.WHARF_CHROMIUM ?? '/usr/bin/chromium';

/** Every benchmark: its full arguments and its CI-sized ones; `platform` ones start a whole `wharf up`. */
const BENCHMARKS = [
  { script: 'proxy.mjs', full: [], quick: ['--duration', '1', '--warmup', '0', '--probe-duration', '1'] },
  { script: 'proxy-dataplane.mjs', full: [], quick: ['--quick'] },
  {
    script: 'proxy-tls.mjs',
    full: [],
    quick: ['--duration', '0.5', '--probe-duration', '0.5', '--rounds', '1', '--warmup', '0'],
  },
  { script: 'route-propagation.mjs', full: [], quick: ['--quick'] },
  { script: 'route-change-cpu.mjs', full: [], quick: ['--routes', '200', '--changes', '20'] },
  { script: 'route-first-load.mjs', full: [], quick: ['--routes', '500'] },
  {
    script: 'zk-tls.mjs',
    full: [],
    quick: ['--gets', '100', '--sets', '50', '--connects', '4', '--block', '50'],
  },
  { script: 'detection.mjs', full: [], quick: ['--runs', '1', '--stops', '1000', '--stop-runs', '1'] },
  { script: 'events.mjs', full: [], quick: ['--runs', '3'] },
  { script: 'director-enrol.mjs', full: [], quick: ['--runs', '1', '--roles', 'proxy'] },
  { script: 'fleet/run.mjs', full: ['--quick'], quick: ['--quick'] },
  { script: 'api-scale.mjs', full: [], quick: ['--quick'] },
  { script: 'control-plane-memory.mjs', full: [], quick: ['--quick'] },
  { script: 'console.mjs', full: [], quick: ['--runs', '2', '--deployments', '3'], needs: 'browser' },
  { script: 'plan-to-routable.mjs', full: [], quick: ['--runs', '1'], platform: true },
  { script: 'plan-to-routable-docker.mjs', full: [], quick: ['--runs', '1'], needs: 'docker' },
  { script: 'plan-to-routable-idle-cpu.mjs', full: [], quick: ['--seconds', '2'] },
  { script: 'rolling-change.mjs', full: [], quick: ['--runs', '1'], platform: true },
  { script: 'plan-changes.mjs', full: [], quick: ['--runs', '1'], platform: true },
  { script: 'failover.mjs', full: [], quick: ['--runs', '1'], platform: true },
  { script: 'shutdown-start.mjs', full: [], quick: ['--runs', '1'], platform: true },
  { script: 'migrate-data.mjs', full: [], quick: ['--mb', '5', '--runs', '1'], platform: true },
  { script: 'snapshot-restore.mjs', full: [], quick: ['--mb', '2', '--runs', '1'], platform: true },
  { script: 'etcd-auth.mjs', full: [], quick: ['--runs', '1', '--puts', '20'], platform: true },
  { script: 'idle-host-memory.mjs', full: [], quick: ['--quick'], platform: true },
];

function available(bench) {
  if (bench.needs === 'browser') return existsSync(CHROMIUM) || `no browser at ${CHROMIUM}`;
  if (bench.needs === 'docker') {
    const ready =
      spawnSync('docker', ['image', 'inspect', 'wharf/etcd:3.4'], { stdio: 'ignore', timeout: 10_000 })
        .status === 0;
    return ready || 'no Docker engine with wharf/etcd:3.4';
  }
  return true;
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    skip: { type: 'string', default: '' },
    'skip-platform': { type: 'boolean', default: false },
  },
});
const only = values.only?.split(',');
const skip = values.skip.split(',');
const known = new Set(BENCHMARKS.map((b) => b.script));
for (const name of [...(only ?? []), ...skip.filter(Boolean)]) {
  if (!known.has(name)) throw new Error(`unknown benchmark ${name} (known: ${[...known].join(', ')})`);
}
for (const bench of BENCHMARKS) {
  if ((only && !only.includes(bench.script)) || skip.includes(bench.script)) continue;
  if (bench.platform && values['skip-platform']) continue;
  const ok = available(bench);
  if (ok !== true) {
    console.log(`(skipping ${bench.script}: ${ok})`);
    continue;
  }
  const args = values.quick ? bench.quick : bench.full;
  console.log(`\n=== ${bench.script} ${args.join(' ')}`);
  const { status } = spawnSync(process.execPath, [resolve(here, bench.script), ...args], {
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
