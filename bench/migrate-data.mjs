#!/usr/bin/env node
// migrate-data: how long a member joining a running etcd cluster takes to catch up (the etcd
// pack's `migrateData` hook, the constructor's `migrate-data` step), per GB of data. For each run:
// a fresh 3-member cluster (real etcd processes on loopback, the pack's own command lines), filled
// through the HTTP gateway with `--mb` MB of 256 KiB values, then a 4th member is added (`beforeJoin`),
// started, and `migrateData` is timed from the start of its process until it has applied the
// leader's raft index. Prints per-run figures, the median, and seconds per GB extrapolated
// linearly from the measured size (say so when quoting it).
//   node bench/migrate-data.mjs [--mb 50,200] [--runs 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const stacks = require('../packages/stacks/dist/index.js');
const pack = stacks.getStackPack('etcd');

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '50,200' }, runs: { type: 'string', default: '3' } },
});
const SIZES_MB = values.mb.split(',').map(Number);
const RUNS = Number(values.runs);
/** Value size of the fill: well under etcd's 1.5 MiB request limit, few requests per MB. */
const VALUE_BYTES = 256 * 1024;
/** Members get a memory size whose backend quota (half of it) holds the largest fill. */
const MEMORY_MB = 4096;
const HOST = '127.0.0.1';

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function member(i, prefix) {
  return {
    name: `${prefix}-main-${i}`,
    host: HOST,
    ports: { client: await freePort(), peer: await freePort() },
  };
}

function start(root, m, cluster, children) {
  const argv = pack.command({
    instanceId: m.name,
    deploymentId: 'mig',
    version: '3.4',
    host: HOST,
    ports: m.ports,
    dataDir: join(root, m.name),
    memoryMb: MEMORY_MB,
    settings: {},
    cluster,
  }).argv;
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  children.push(child);
}

async function fill(members, mb) {
  const value = Buffer.alloc(VALUE_BYTES, 'x').toString();
  const count = Math.ceil((mb * 1024 * 1024) / VALUE_BYTES);
  for (let i = 0; i < count; i++) await stacks.etcdPut(members[i % members.length], `fill/${i}`, value);
}

async function run(size, n) {
  const root = mkdtempSync(join(tmpdir(), 'wharf-bench-migrate-'));
  const children = [];
  try {
    const prefix = `mig${n}`;
    const old = [await member(0, prefix), await member(1, prefix), await member(2, prefix)];
    const cluster = pack.bootstrap({ deploymentId: 'mig', nonce: `n${Date.now()}`, members: old });
    for (const m of old) start(root, m, cluster, children);
    await Promise.all(old.map((m) => stacks.waitForHealthy(pack, m, { timeoutMs: 30_000 })));
    const filled = Date.now();
    await fill(old, size);
    const fillSeconds = (Date.now() - filled) / 1000;
    const joining = await member(3, prefix);
    await pack.beforeJoin(old, joining, { timeoutMs: 60_000 });
    const t0 = performance.now();
    start(root, joining, pack.joining(cluster, joining), children);
    const result = await pack.migrateData(old, joining, { timeoutMs: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    const leaderDb = Math.max(
      ...(await Promise.all(old.map(async (m) => (await stacks.etcdStatus(m)).dbSize))),
    );
    return { sizeMb: size, dbMb: leaderDb / 1048576, seconds, fillSeconds };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(root, { recursive: true, force: true });
  }
}

console.log(
  `migrate-data: sizes ${SIZES_MB.join(', ')} MB, ${RUNS} runs each, load ${loadavg()[0].toFixed(1)}`,
);
for (const size of SIZES_MB) {
  const results = [];
  for (let n = 0; n < RUNS; n++) {
    const r = await run(size, n);
    results.push(r);
    console.log(
      `  ${size} MB run ${n + 1}: leader db ${r.dbMb.toFixed(1)} MB, caught up in ${r.seconds.toFixed(2)} s (fill took ${r.fillSeconds.toFixed(1)} s)`,
    );
  }
  const s = median(results.map((r) => r.seconds));
  // Per GB of data written (the backend files vary with compaction and commit batching).
  console.log(
    `${size} MB: median ${s.toFixed(2)} s → ${((s / size) * 1024).toFixed(1)} s per GB written (extrapolated linearly)`,
  );
}
