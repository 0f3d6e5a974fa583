#!/usr/bin/env node
// Sweep of the fleet benchmark over fleet sizes: runs bench/fleet/run.mjs once per N (a fresh
// ZooKeeper and constructor each time, N deployments for N allocators unless --deployments),
// then writes docs/fleet/sweep.json and docs/fleet/sweep.svg (plan-to-running p50/p95, placement
// step p50/p95, placements per second and constructor CPU per placement against N).
//   node bench/fleet/sweep.mjs [--sizes 100,500,1000,2000] [--deployments M] [--burst 200]
//                              [--cpu-prof-largest DIR] [--out docs/fleet]
// With --cpu-prof-largest, the largest N runs the constructor under --cpu-prof and the top costs
// of its profile are printed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize } from './lib/profile.mjs';
import { sweepChart } from './lib/svg.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,500,1000,2000' },
    deployments: { type: 'string' },
    burst: { type: 'string', default: '200' },
    'cpu-prof-largest': { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'docs/fleet') },
    replot: { type: 'boolean', default: false },
  },
});
if (values.replot) {
  // Redraws the chart from the figures already in <out>/sweep.json (no runs).
  const saved = JSON.parse(readFileSync(join(values.out, 'sweep.json'), 'utf8'));
  writeFileSync(join(values.out, 'sweep.svg'), sweepChart(saved.results, saved.caption));
  process.exit(0);
}
const sizes = values.sizes.split(',').map(Number);
const largest = Math.max(...sizes);
const work = mkdtempSync(join(tmpdir(), 'wharf-fleet-sweep-'));
const results = [];
for (const n of sizes) {
  const json = join(work, `n${n}.json`);
  const prof = n === largest ? values['cpu-prof-largest'] : undefined;
  const args = [
    join(import.meta.dirname, 'run.mjs'),
    '--allocators',
    String(n),
    '--burst',
    values.burst,
    '--json',
    json,
    ...(values.deployments ? ['--deployments', values.deployments] : []),
    ...(prof ? ['--cpu-prof', prof] : []),
  ];
  console.log(`\n=== N = ${n}`);
  const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (status !== 0) console.error(`(N = ${n}: run exited ${status}; its figures are kept if written)`);
  try {
    results.push(JSON.parse(readFileSync(json, 'utf8')));
  } catch {
    console.error(`(N = ${n}: no figures)`);
  }
}
rmSync(work, { recursive: true, force: true });
mkdirSync(values.out, { recursive: true });

const caption = `bench/fleet/sweep.mjs --sizes ${values.sizes}${values.deployments ? ` --deployments ${values.deployments}` : ''} · ${new Date().toISOString().slice(0, 16)} UTC · 2-core shared box, load ${results.map((r) => r.load.toFixed(1)).join('/')}`;
writeFileSync(join(values.out, 'sweep.svg'), sweepChart(results, caption));
writeFileSync(join(values.out, 'sweep.json'), `${JSON.stringify({ caption, results }, null, 2)}\n`);
console.log(`\nwrote ${join(values.out, 'sweep.json')} and sweep.svg`);

console.log(
  '\n| N | deployments | instances | plan→running p50 / p95 | placement step p50 / p95 | placements/s | constructor CPU / placement | constructor RSS | znodes | ZK data | simulator RSS |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const c = r.create;
  console.log(
    `| ${r.allocators} | ${r.deployments} | ${c.instances} | ${(c.planToRunningP50 / 1000).toFixed(1)} / ${(c.planToRunningP95 / 1000).toFixed(1)} s | ${(c.placementP50 / 1000).toFixed(2)} / ${(c.placementP95 / 1000).toFixed(2)} s | ${c.placementsPerSec.toFixed(0)} | ${(c.constructorCpuMs / c.instances).toFixed(1)} ms | ${r.constructor.hwmMb.toFixed(0)} MB | ${r.zk.znodes} | ${(r.zk.dataBytes / 1e6).toFixed(1)} MB | ${r.simulator.rssMb.toFixed(0)} MB |`,
  );
}

const profDir = values['cpu-prof-largest'];
if (profDir) {
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    const s = summarize(join(profDir, file));
    console.log(`\nconstructor CPU profile at N = ${largest}: ${(s.busyMs / 1000).toFixed(1)} s busy`);
    console.log('top functions (self time):');
    for (const f of s.functions)
      console.log(`  ${(f.share * 100).toFixed(1)} %  ${f.selfMs.toFixed(0)} ms  ${f.key}`);
    console.log('top files (self time):');
    for (const f of s.files)
      console.log(`  ${(f.share * 100).toFixed(1)} %  ${f.selfMs.toFixed(0)} ms  ${f.key}`);
  }
}
