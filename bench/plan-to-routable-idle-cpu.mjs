#!/usr/bin/env node
// The standing cost of a shorter etcd heartbeat (which starts a new cluster's first election
// sooner, see plan-to-routable-docker.mjs): CPU used by idle 3-member etcd clusters, one cluster
// per heartbeat interval, side by side on loopback, election timeout 1,000 ms as in the pack.
//   node bench/plan-to-routable-idle-cpu.mjs [--heartbeats 100,50,25] [--seconds 30]
// Needs /usr/bin/etcd (Debian's etcd-server). Reads utime+stime from /proc/<pid>/stat.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePorts } from '@wharf/testkit';
import { sleep } from './lib/platform.mjs';

const { values } = parseArgs({
  options: {
    heartbeats: { type: 'string', default: '100,50,25' },
    seconds: { type: 'string', default: '30' },
  },
});
const HEARTBEATS = values.heartbeats.split(',').map(Number);
const SECONDS = Number(values.seconds);
if (HEARTBEATS.some((hb) => !(hb >= 10 && hb <= 200)) || !(SECONDS > 0 && SECONDS <= 600)) {
  console.error('--heartbeats: 10..200 ms each; --seconds: 1..600');
  process.exit(2);
}
/** Kernel clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
/** Time for the clusters to elect and settle before the measured window. */
const SETTLE_MS = 8_000;
const home = mkdtempSync(join(tmpdir(), 'wharf-bench-idle-'));
const members = [];

/** Starts a 3-member cluster; `ports`: six free loopback ports, a client and a peer one per member. */
function startCluster(hb, ports) {
  const names = [0, 1, 2].map((m) => `hb${hb}-m${m}`);
  const peerUrl = (m) => `http://127.0.0.1:${ports[m * 2 + 1]}`;
  const initialCluster = names.map((n, m) => `${n}=${peerUrl(m)}`).join(',');
  for (const [m, name] of names.entries()) {
    const client = `http://127.0.0.1:${ports[m * 2]}`;
    const child = spawn(
      '/usr/bin/etcd',
      [
        `--name=${name}`,
        `--data-dir=${join(home, name)}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peerUrl(m)}`,
        `--initial-advertise-peer-urls=${peerUrl(m)}`,
        `--initial-cluster=${initialCluster}`,
        `--initial-cluster-token=idle-${hb}`,
        `--heartbeat-interval=${hb}`,
        '--election-timeout=1000',
        '--pre-vote=true',
        '--logger=zap',
        '--log-level=error',
      ],
      { stdio: 'ignore', env: {} },
    );
    members.push({ hb, child });
  }
}

const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
};

const load = loadavg();
const started = new Date();
try {
  const ports = await freePorts(HEARTBEATS.length * 6);
  HEARTBEATS.forEach((hb, i) => startCluster(hb, ports.slice(i * 6, i * 6 + 6)));
  await sleep(SETTLE_MS);
  const before = members.map((m) => cpuMs(m.child.pid));
  await sleep(SECONDS * 1000);
  const used = members.map((m, i) => cpuMs(m.child.pid) - before[i]);
  console.log(
    `idle etcd CPU, 3 members per cluster, ${SECONDS} s, ${cpus().length} cores, ` +
      `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, load ${load.map((l) => l.toFixed(2)).join(' ')}`,
  );
  for (const hb of HEARTBEATS) {
    const ms = members.reduce((sum, m, i) => sum + (m.hb === hb ? used[i] : 0), 0);
    console.log(
      `  heartbeat ${hb} ms: ${ms.toFixed(0)} ms CPU = ${((ms / (SECONDS * 1000)) * 100).toFixed(1)} % of a core per cluster`,
    );
  }
} finally {
  for (const { child } of members) child.kill('SIGTERM');
  await sleep(500);
  rmSync(home, { recursive: true, force: true });
}
