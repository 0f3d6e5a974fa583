#!/usr/bin/env node
// Runs every benchmark in turn (`npm run bench`); each prints its own figures. The Docker-mode
// benchmark runs only when a Docker engine answers and holds wharf/etcd:3.4 (`bash docker/build.sh`).
// The fleet benchmark runs in its CI-sized `--quick` form (the full sweep is bench/fleet/sweep.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const here = import.meta.dirname;
const CHROMIUM = process.env.WHARF_CHROMIUM ?? '/usr/bin/chromium';
const dockerReady =
  spawnSync('docker', ['image', 'inspect', 'wharf/etcd:3.4'], { stdio: 'ignore', timeout: 10_000 }).status ===
  0;
const scripts = [
  'proxy.mjs',
  'plan-to-routable.mjs',
  ...(dockerReady ? ['plan-to-routable-docker.mjs'] : []),
  'fleet/run.mjs',
  'zk-tls.mjs',
  'director-enrol.mjs',
  ...(existsSync(CHROMIUM) ? ['console.mjs'] : []),
];
if (!existsSync(CHROMIUM)) console.log(`(skipping console.mjs: no browser at ${CHROMIUM})`);
if (!dockerReady) console.log('(skipping plan-to-routable-docker.mjs: no Docker engine with wharf/etcd:3.4)');
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const own = { 'fleet/run.mjs': ['--quick'], 'zk-tls.mjs': [], 'director-enrol.mjs': [], 'console.mjs': [] };
  const args = own[script] ?? process.argv.slice(2);
  const { status } = spawnSync(process.execPath, [resolve(here, script), ...args], {
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
