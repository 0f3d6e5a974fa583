#!/usr/bin/env node
// route-first-load: where a first load's full table build of R routes goes, in CPU ms (robust on a
// shared box): `buildRouteTable` over R decoded-for-the-first-time documents, next to its floor —
// `JSON.parse` of the same documents one by one (what any per-document decode must pay), the
// utf8 conversion alone, one `JSON.parse` of all of them joined, the id/timestamp checks and a
// route object's allocation. 30 rounds after 5 warm-up builds; p50 and min.
//
// Those are warm figures: the build's code has run (and been optimised) before. A proxy's real first
// load runs it for the first time, interpreted while V8 compiles it (the compiler threads' CPU is in
// the process's CPU time). `--cold <k>` measures that: k fresh processes per build, each timing its
// first `buildRouteTable` call and then the p50 of 10 more (warm, in the same process); with
// `--before <checkout>` that build's processes alternate with this one's (no build shares a heap or
// a JIT with the other, and both see the same neighbours).
//   node bench/route-first-load.mjs [--routes 10000] [--root <checkout>] [--cold 8 [--before <checkout>]]
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: '10000' },
    root: { type: 'string', default: process.cwd() },
    cold: { type: 'string' },
    before: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});
const ROOT = resolve(values.root);
const require = createRequire(join(ROOT, 'package.json'));
const { serializeDocument, isValidId } = require('@wharf/model');
const { buildRouteTable } = require('@wharf/proxy');
const { benchRoute } = await import(join(ROOT, 'bench/lib/proxy-options.mjs'));
/** Warm builds timed in each `--cold` process after its first. */
const WARM_IN_CHILD = 10;
/** A child that takes longer has hung: the bench is bounded. */
const CHILD_TIMEOUT_MS = 120_000;

const N = Number(values.routes);
/** Timed rounds per figure (after the warm-up). */
const ROUNDS = 30;
const UTC = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;
const docs = Array.from({ length: N }, (_, i) => ({
  name: `r${i}`,
  data: Buffer.from(serializeDocument('route', benchRoute(`r${i}`, 20000))),
}));
const strings = docs.map((d) => d.data.toString('utf8'));
const parsed = strings.map((s) => JSON.parse(s));
const cpu = (fn) => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const figures = {
  'buildRouteTable, all decoded': () => buildRouteTable(docs),
  'utf8 toString': () => docs.forEach((d) => d.data.toString('utf8')),
  'toString + JSON.parse, one by one': () => docs.forEach((d) => JSON.parse(d.data.toString('utf8'))),
  'JSON.parse of all joined': () => JSON.parse(`[${strings.join(',')}]`),
  'id and timestamp checks': () =>
    parsed.forEach((o) => {
      const x = o.instances[0];
      isValidId(o.deployment_id) && isValidId(x.instance_id) && isValidId(x.allocator_id);
      isValidId(x.ref_id) && isValidId(x.zone) && UTC.exec(o.updated);
    }),
  'route objects (frozen) into a Map': () => {
    const m = new Map();
    for (const o of parsed) {
      const x = o.instances[0];
      const t = Object.freeze({
        instanceId: x.instance_id,
        allocatorId: x.allocator_id,
        refId: x.ref_id,
        zone: x.zone,
        host: x.host,
        port: x.port,
      });
      m.set(
        o.deployment_id,
        Object.freeze({
          deploymentId: o.deployment_id,
          tiers: Object.freeze([Object.freeze([t])]),
          healthyCount: 1,
        }),
      );
    }
  },
};
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const row = (label, xs) =>
  `  ${label.padEnd(36)} p50 ${p50(xs).toFixed(1).padStart(6)}  min ${Math.min(...xs)
    .toFixed(1)
    .padStart(6)}`;

if (values.child) {
  const first = cpu(() => buildRouteTable(docs));
  const warm = Array.from({ length: WARM_IN_CHILD }, () => cpu(() => buildRouteTable(docs)));
  console.log(JSON.stringify({ first, warm: p50(warm) }));
} else if (values.cold !== undefined) {
  const builds = [ROOT, ...(values.before === undefined ? [] : [resolve(values.before)])];
  const out = new Map(builds.map((b) => [b, { first: [], warm: [] }]));
  const script = fileURLToPath(import.meta.url);
  const run = (root) =>
    new Promise((done, fail) => {
      const args = [script, '--child', '--routes', String(N), '--root', root];
      execFile(process.execPath, args, { timeout: CHILD_TIMEOUT_MS }, (err, stdout) =>
        err ? fail(err) : done(JSON.parse(stdout)),
      );
    });
  const load0 = loadavg()[0];
  for (let k = 0; k < Number(values.cold); k++) {
    for (const root of k % 2 === 0 ? builds : [...builds].reverse()) {
      const { first, warm } = await run(root);
      out.get(root).first.push(first);
      out.get(root).warm.push(warm);
    }
  }
  console.log(
    `first load of ${N} routes, fresh processes, CPU ms (load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)})`,
  );
  for (const [root, { first, warm }] of out) {
    console.log(`${root} (${first.length} processes)`);
    console.log(row('first build in the process (cold)', first));
    console.log(row(`p50 of the next ${WARM_IN_CHILD} (warm)`, warm));
  }
} else {
  for (let i = 0; i < 5; i++) buildRouteTable(docs);
  const samples = Object.fromEntries(Object.keys(figures).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const [k, fn] of Object.entries(figures)) samples[k].push(cpu(fn));
  console.log(`first load of ${N} routes, warm, CPU ms (load ${loadavg()[0].toFixed(1)}, ${ROOT})`);
  for (const [k, xs] of Object.entries(samples)) console.log(row(k, xs));
}
