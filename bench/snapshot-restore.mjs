#!/usr/bin/env node
// snapshot-restore: time of an etcd snapshot (stream → temp file → fsync → rename → verify) and
// of the logical restore (read the bbolt file, put every key in 100-op transactions) into a new
// single-member etcd, per amount of data. Two real etcd processes on loopback; each size is
// filled with 1 KiB values, snapshotted and restored --runs times; medians printed.
//   node bench/snapshot-restore.mjs [--mb 8,32] [--runs 3]
// Needs a build (`npx tsc -b tsconfig.json`) and /usr/bin/etcd.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcdProcess } from '@wharf/testkit';
import { quantile } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { getStackPack, etcdCall } = require('@wharf/stacks');

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '8,32' }, runs: { type: 'string', default: '3' } },
});
const SIZES = values.mb.split(',').map(Number);
const RUNS = Number(values.runs);
const VALUE_BYTES = 1024;
const pack = getStackPack('etcd');
const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-snapshot-'));
const procs = [];

async function startEtcd(name) {
  const etcd = await startEtcdProcess(dir, name, ['--quota-backend-bytes=4294967296']);
  procs.push(etcd.proc);
  return { ...etcd, member: { name, host: '127.0.0.1', ports: { client: etcd.port } } };
}

async function fill(url, mb) {
  const value = Buffer.alloc(VALUE_BYTES, 'v').toString('base64');
  const keys = (mb * 1024 * 1024) / VALUE_BYTES;
  for (let i = 0; i < keys; i += 100) {
    const success = [];
    for (let j = i; j < Math.min(keys, i + 100); j++)
      success.push({ request_put: { key: Buffer.from(`k/${j}`).toString('base64'), value } });
    await etcdCall(url, '/v3/kv/txn', { success });
  }
  return keys;
}

try {
  console.log(`load ${loadavg()[0].toFixed(2)}`);
  console.log('| data | keys | snapshot file | snapshot (median) | restore (median) |');
  console.log('|---|---|---|---|---|');
  for (const mb of SIZES) {
    const source = await startEtcd(`src${mb}`);
    const keys = await fill(source.url, mb);
    const snaps = [];
    const restores = [];
    let bytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const file = join(dir, `snap-${mb}-${run}.db`);
      let t = performance.now();
      const snap = await pack.snapshot(source.member, file);
      await pack.verifySnapshot(file);
      snaps.push(performance.now() - t);
      bytes = snap.bytes;
      const target = await startEtcd(`dst${mb}-${run}`);
      t = performance.now();
      const restored = await pack.restore(file, [target.member]);
      restores.push(performance.now() - t);
      if (restored.keys !== keys) throw new Error(`restored ${restored.keys} of ${keys} keys`);
      target.proc.kill('SIGKILL');
    }
    source.proc.kill('SIGKILL');
    const ms = (xs) => `${Math.round(quantile(xs, 0.5))} ms`;
    console.log(
      `| ${mb} MiB | ${keys} | ${(bytes / 1048576).toFixed(1)} MiB | ${ms(snaps)} | ${ms(restores)} |`,
    );
  }
} finally {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
