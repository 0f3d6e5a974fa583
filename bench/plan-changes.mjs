#!/usr/bin/env node
// plan-changes: failed requests (and duration) per plan change kind under a steady read/write
// load through the proxies — grow 3 → 5, shrink 5 → 3, size change (every member replaced) — on a
// platform started by `wharf up`. Runs the acceptance scenario `test/zero-failed-requests.test.ts`
// `--runs` times (8 closed-loop clients, ≥ 10,000 requests each run) and prints each run's figures
// and, per change kind, the total failed requests and the median duration and request count.
//   node bench/plan-changes.mjs [--runs 3]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const ROOT = resolve(import.meta.dirname, '..');
const MARK = 'zero-failed-requests figures ';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`plan-changes: ${RUNS} runs, load ${loadavg()[0].toFixed(1)}`);
const byKind = new Map();
for (let n = 1; n <= RUNS; n++) {
  const run = spawnSync(
    process.execPath,
    [
      'node_modules/.bin/jest',
      '--selectProjects',
      'e2e',
      '--runTestsByPath',
      'test/zero-failed-requests.test.ts',
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 600_000 },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  const line = output.split('\n').find((l) => l.includes(MARK));
  if (!line) {
    console.log(`run ${n}: no figures (exit ${run.status})\n${output.slice(-2000)}`);
    continue;
  }
  const figures = JSON.parse(line.slice(line.indexOf(MARK) + MARK.length));
  console.log(
    `run ${n}: ${figures.total.total} requests, ${figures.total.failed} failed (${run.status === 0 ? 'test passed' : 'test FAILED'})`,
  );
  for (const c of figures.changes) {
    console.log(`  ${c.change}: ${c.seconds.toFixed(1)} s, ${c.total} requests, ${c.failed} failed`);
    const k = byKind.get(c.change) ?? [];
    k.push(c);
    byKind.set(c.change, k);
  }
}
for (const [kind, runs] of byKind) {
  const failed = runs.reduce((s, c) => s + c.failed, 0);
  const requests = runs.reduce((s, c) => s + c.total, 0);
  console.log(
    `${kind}: ${failed} failed of ${requests} requests over ${runs.length} runs; median ${median(runs.map((c) => c.seconds)).toFixed(1)} s`,
  );
}
