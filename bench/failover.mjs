#!/usr/bin/env node
// failover: seconds from a host's death to the deployment's full membership again, with the
// constructor's default recovery grace (WHARF_ALLOCATOR_RECOVER_GRACE_MS, 10 s). Starts its own
// platform (`wharf up --detach --allocators 4`, process runtime) and a 3-zone etcd deployment,
// then N times: one member's host dies — its runner and allocator SIGSTOPped (to ZooKeeper a dead
// host; nothing restarts them), its etcd member SIGKILLed — and the clock runs until the API shows
// 3 healthy instances off that allocator and etcd's member list (through the proxy) names exactly
// them. The host then returns (SIGCONT) and is the spare of the next run. Prints median and range.
//   node bench/failover.mjs [--runs 5]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'node:http';
import { etcdPlan, quantile, sleep, startPlatform } from './lib/platform.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
/** Longest a failover may take before the run counts as failed. */
const FAILOVER_TIMEOUT_MS = 120_000;

const { home, api, proxyPorts, down } = await startPlatform({
  args: ['--allocators', '4'],
  portBase: 13_000,
  timeoutMs: 180_000,
});
const [p1] = proxyPorts;
/** etcd's member names through the proxy (undefined when it does not answer 200). */
const memberNames = (id) =>
  new Promise((res) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: p1,
        method: 'POST',
        path: '/v3/cluster/member/list',
        headers: { host: `${id}.localhost`, 'content-type': 'application/json' },
        timeout: 2000,
      },
      (r) => {
        let data = '';
        r.on('data', (c) => (data += c));
        r.on('end', () => {
          if (r.statusCode !== 200) return res(undefined);
          res((JSON.parse(data).members ?? []).map((m) => m.name).sort());
        });
      },
    );
    req.on('error', () => res(undefined));
    req.on('timeout', () => req.destroy());
    req.end('{}');
  });
const services = () => JSON.parse(readFileSync(join(home, 'run', 'platform.json'), 'utf8')).services ?? [];
const memberPid = (instance) =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim().split(/\s+/).includes(`--name=${instance}`))
    .map((l) => Number(l.trim().split(/\s+/)[0]))[0];
const instances = async (id) => (await api('GET', `/deployments/${id}`)).body.instances;
const waitUntil = async (what, fn, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
};

const seconds = [];
try {
  const created = await api('POST', '/deployments', etcdPlan('failover', 3));
  if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
  const id = created.body.id;
  await waitUntil(
    'deployment healthy',
    async () => (await api('GET', `/deployments/${id}`)).body.healthy,
    120_000,
  );
  let previous;
  for (let run = 0; run < RUNS; run++) {
    const now = await instances(id);
    const victim = now.find((i) => i.allocator_id !== previous) ?? now[0];
    const allocator = services().find((s) => s.service === 'allocator' && s.id === victim.allocator_id);
    const runner = services().find((s) => s.service === 'runner' && s.host === allocator.host);
    const member = memberPid(victim.instance_id);
    const t0 = performance.now();
    process.kill(runner.pid, 'SIGSTOP');
    process.kill(allocator.pid, 'SIGSTOP');
    process.kill(member, 'SIGKILL');
    try {
      await waitUntil(
        'full membership off the dead host',
        async () => {
          const list = await instances(id);
          if (list.length !== 3 || !list.every((i) => i.healthy && i.allocator_id !== victim.allocator_id))
            return false;
          const names = await memberNames(id);
          return JSON.stringify(names) === JSON.stringify(list.map((i) => i.instance_id).sort());
        },
        FAILOVER_TIMEOUT_MS,
      );
    } finally {
      process.kill(runner.pid, 'SIGCONT');
      process.kill(allocator.pid, 'SIGCONT');
    }
    const s = (performance.now() - t0) / 1000;
    seconds.push(s);
    console.log(
      `run ${run + 1}/${RUNS}: ${victim.instance_id} on ${victim.allocator_id} → full membership in ${s.toFixed(1)} s`,
    );
    previous = victim.allocator_id;
    // The host returns and becomes the next run's spare; let its allocator rejoin and clean up.
    await waitUntil(
      'the returned allocator live again',
      async () => {
        const { allocators } = (await api('GET', '/platform/allocators')).body;
        return allocators.find((a) => a.id === victim.allocator_id)?.connected;
      },
      60_000,
    );
    await waitUntil(
      'no pending plan',
      async () => !(await api('GET', `/deployments/${id}/plan`)).body.pending,
      60_000,
    );
    await sleep(3_000);
  }
} finally {
  down();
}
const sorted = [...seconds].sort((a, b) => a - b);
console.log(
  `\nfailover (host death → full membership), 3-zone etcd, 4 allocators, default 10 s recovery grace, ${RUNS} runs, ${cpus().length} cores`,
);
console.log(
  `median ${quantile(sorted, 0.5).toFixed(1)} s  min ${sorted[0].toFixed(1)} s  max ${sorted.at(-1).toFixed(1)} s  (goal: <= 15 s)`,
);
