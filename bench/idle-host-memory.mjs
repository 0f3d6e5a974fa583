#!/usr/bin/env node
// idle-host-memory (issue 13 §6): RSS of each process of an idle `wharf up` (process mode), per
// simulated host, against the goal of ≤ 300 MB for one host.
//   - A platform of its own (`wharf up --detach` on free ports, as the other platform benches),
//     no deployments; after `--settle-ms` every process whose WHARF_HOME lies in the platform's
//     home is read from /proc: VmRSS, and the Node heap is not asked (nothing else is started).
//   - Processes are grouped by host: a service by its WHARF_ID (`<service>-<host>`), a runner by
//     its host id; ZooKeeper (embedded, shared by every host) is listed on its own.
// Prints one line per process and, per host, two totals: the sum of the processes' RSS, and the
// host's footprint — distinct physical pages counted once (bench/lib/host-footprint.mjs: the node
// executable's and libraries' pages are shared by every Node process on a host, and a sum of RSS
// counts them once per process). The goal is read against the footprint; both are printed.
//   node bench/idle-host-memory.mjs [--settle-ms 20000] [--json] [-- <extra wharf up flags>]
//   node bench/idle-host-memory.mjs --quick        (5 s settle: CI-sized)
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { footprintMb } from './lib/host-footprint.mjs';
import { sleep, startPlatform } from './lib/platform.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'settle-ms': { type: 'string', default: '20000' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
/** Time after `up --detach` returns before reading (start-up garbage collected, caches loaded). */
const SETTLE_MS = values.quick ? 5_000 : Number(values['settle-ms']);
const GOAL_HOST_MB = 300;

/** `{ pid, env, cmdline, rssMb }` of every readable process. */
function processes() {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = Object.fromEntries(
        readFileSync(`/proc/${name}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const rss = readFileSync(`/proc/${name}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
      if (rss) found.push({ pid: Number(name), env, cmdline, rssMb: Number(rss[1]) / 1024 });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The parent pid of `pid` (0 when unreadable). */
function parentPid(pid) {
  try {
    // After the command name in parentheses (which may hold spaces): state, then ppid.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** `[host, process name]` of a process of the platform at `home`, or undefined when it is not one. */
function classify(proc, home) {
  const { env, cmdline } = proc;
  if (cmdline[0]?.endsWith('java') && cmdline.some((a) => a.startsWith(home)))
    return ['(shared)', 'zookeeper'];
  if (env.WHARF_HOME === undefined || !env.WHARF_HOME.startsWith(home)) return undefined;
  if (env.WHARF_ID !== undefined) {
    const host = env.WHARF_HOME.slice(env.WHARF_HOME.lastIndexOf('/') + 1);
    return [host, env.WHARF_ID.slice(0, -host.length - 1)];
  }
  if (cmdline.some((a) => a.includes('runner'))) {
    const flag = cmdline.indexOf('--host-id');
    return [env.WHARF_HOST_ID ?? (flag >= 0 ? cmdline[flag + 1] : '?'), 'runner'];
  }
  return undefined;
}

const platform = await startPlatform({ args: positionals });
let rows;
let footprints;
try {
  await sleep(SETTLE_MS);
  const found = processes()
    .map((proc) => ({ proc, at: classify(proc, platform.home) }))
    .filter(({ at }) => at !== undefined);
  // ZooKeeper belongs to the host whose director started it (its parent); the supervisor's own
  // server (`--directors 0`) stays "(shared)".
  for (const entry of found) {
    if (entry.at[1] !== 'zookeeper') continue;
    const parent = found.find(({ proc }) => proc.pid === parentPid(entry.proc.pid));
    if (parent !== undefined) entry.at = [parent.at[0], 'zookeeper'];
  }
  rows = found.map(({ proc, at: [host, name] }) => ({
    host,
    name,
    pid: proc.pid,
    rss_mb: proc.rssMb,
    node_options: proc.env.NODE_OPTIONS ?? '',
  }));
  footprints = Object.fromEntries(
    [...new Set(rows.map((r) => r.host))].map((host) => [
      host,
      footprintMb(rows.filter((r) => r.host === host).map((r) => r.pid)),
    ]),
  );
} finally {
  platform.down();
}

const hosts = [...new Set(rows.map((r) => r.host))].sort();
const totals = Object.fromEntries(
  hosts.map((host) => [host, rows.filter((r) => r.host === host).reduce((sum, r) => sum + r.rss_mb, 0)]),
);
const meta = { cpus: cpus().length, load: loadavg()[0], settle_ms: SETTLE_MS, up_flags: positionals };
if (values.json) console.log(JSON.stringify({ ...meta, totals, footprints, processes: rows }, null, 2));
else {
  console.log(
    `idle host memory (${meta.cpus} CPUs, load ${meta.load.toFixed(1)}), ${SETTLE_MS / 1000} s after up:`,
  );
  for (const host of hosts) {
    const mine = rows.filter((r) => r.host === host).sort((a, b) => a.name.localeCompare(b.name));
    const parts = mine.map((r) => `${r.name} ${r.rss_mb.toFixed(1)}`).join(' + ');
    const footprint = footprints[host];
    const shown =
      footprint === undefined ? 'footprint unreadable (not root)' : `footprint ${footprint.toFixed(0)} MB`;
    const verdict =
      host === '(shared)' || footprint === undefined
        ? ''
        : footprint <= GOAL_HOST_MB
          ? ' (goal ≤ 300 met)'
          : ' (goal ≤ 300 MISSED)';
    console.log(`  ${host}: ${parts} = RSS sum ${totals[host].toFixed(0)} MB, ${shown}${verdict}`);
  }
}
