#!/usr/bin/env node
// Plots route propagation (write → served at every proxy) against fleet size, before and after a
// change: one panel per route count, p50 and p99 per proxy count. Reuses the fleet sweep's SVG
// line chart (bench/fleet/lib/svg.mjs).
//   node bench/route-propagation-plot.mjs --before <run.txt|run.json> --after <run.json> [--out docs/routes]
// A `.txt` input is the text output of `bench/route-propagation.mjs` (older versions had no --out).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chart } from './fleet/lib/svg.mjs';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'docs', 'routes') },
  },
});
if (values.before === undefined || values.after === undefined) {
  console.error('usage: route-propagation-plot.mjs --before <file> --after <file> [--out dir]');
  process.exit(2);
}

const LINE =
  /^\s*(\d+) proxies,\s+(\d+) routes: write → served p50 ([\d.]+) \/ p95 ([\d.]+) \/ p99 ([\d.]+) ms/;

/** [{ proxies, routes, p50, p95, p99 }] from a run's JSON (`--out`) or text output. */
function load(file) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    return JSON.parse(text).summary.map((r) => ({
      proxies: r.proxies,
      routes: r.routes,
      ...r.propagation_ms,
    }));
  }
  return text.split('\n').flatMap((line) => {
    const m = LINE.exec(line);
    return m === null ? [] : [{ proxies: +m[1], routes: +m[2], p50: +m[3], p95: +m[4], p99: +m[5] }];
  });
}

const before = load(values.before);
const after = load(values.after);
const routeCounts = [...new Set(after.map((r) => r.routes))].sort((a, b) => a - b);
const series = (name, rows, routes, key) => ({
  name,
  points: rows
    .filter((r) => r.routes === routes)
    .sort((a, b) => a.proxies - b.proxies)
    .map((r) => [r.proxies, r[key]]),
});
const panels = routeCounts.map((routes) => ({
  title: `${routes.toLocaleString('en')} routes: write → served at every proxy`,
  xLabel: 'proxies',
  yLabel: 'ms',
  series: [
    series('before p50', before, routes, 'p50'),
    series('before p99', before, routes, 'p99'),
    series('after p50', after, routes, 'p50'),
    series('after p99', after, routes, 'p99'),
  ],
}));
const caption = `bench/route-propagation.mjs, 20 samples × P proxies per point; before = main 70683ee, after = routes branch; same box, interleaved runs (2 shared cores, heavily loaded: see docs/benchmarks.md)`;
writeFileSync(join(values.out, 'propagation.svg'), chart(panels, caption));
writeFileSync(join(values.out, 'propagation.json'), `${JSON.stringify({ before, after }, null, 2)}\n`);
console.log(`wrote ${join(values.out, 'propagation.svg')} and propagation.json`);
