#!/usr/bin/env node
// etcd-auth: what etcd client authentication costs. Per run, a fresh single-member etcd: the
// pack's `enableAuth` (role, two users, grants, `auth enable`: what `update-routing` adds to a
// new deployment), then `--puts` sequential puts over the JSON gateway without authentication
// (before) and with a root token (after). Medians of --runs runs.
//   node bench/etcd-auth.mjs [--runs 5] [--puts 200]
// Needs a build (`npx tsc -b tsconfig.json`) and /usr/bin/etcd.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcdProcess } from '@wharf/testkit';
import { quantile } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { getStackPack, etcdPut, EtcdAuthSession, platformStackCredentials } = require('@wharf/stacks');

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, puts: { type: 'string', default: '200' } },
});
const RUNS = Number(values.runs);
const PUTS = Number(values.puts);
const pack = getStackPack('etcd');
const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-etcd-auth-'));
const procs = [];
const credentials = platformStackCredentials('bench-secret', 'bench');

/** Mean ms per put of `PUTS` sequential puts. */
async function puts(member, options) {
  const t = performance.now();
  for (let i = 0; i < PUTS; i++) await etcdPut(member, `k/${i}`, 'v', options);
  return (performance.now() - t) / PUTS;
}

try {
  console.log(`load ${loadavg()[0].toFixed(2)}`);
  const enable = [];
  const open = [];
  const authed = [];
  for (let run = 0; run < RUNS; run++) {
    const etcd = await startEtcdProcess(dir, `auth${run}`);
    procs.push(etcd.proc);
    const member = { name: `auth${run}`, host: '127.0.0.1', ports: { client: etcd.port } };
    open.push(await puts(member, {}));
    let t = performance.now();
    await pack.enableAuth([member], 'bench-root-password', { credentials });
    enable.push(performance.now() - t);
    const auth = new EtcdAuthSession({ username: 'root', password: 'bench-root-password' });
    await etcdPut(member, 'warm', 'v', { auth });
    authed.push(await puts(member, { auth }));
    etcd.proc.kill('SIGKILL');
  }
  const ms = (xs, digits = 0) => `${quantile(xs, 0.5).toFixed(digits)} ms`;
  console.log(
    '| enableAuth (median) | put, auth off (median of means) | put, root token (median of means) |',
  );
  console.log('|---|---|---|');
  console.log(`| ${ms(enable)} | ${ms(open, 2)} | ${ms(authed, 2)} |`);
  console.log(
    `runs ${RUNS}, puts per run ${PUTS}; enableAuth samples ${enable.map(Math.round).join(', ')} ms`,
  );
} finally {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
