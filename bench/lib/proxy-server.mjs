// Benchmark proxy: the real @wharf/proxy (built dist) with a static route table, so the measured
// path is the production request path (routing key, table lookup, balancer, forwarder over the
// keep-alive agent, metrics, access-log check) without a ZooKeeper server. Forked by bench/proxy.mjs.
// With a workers argument > 1 it runs the multi-process proxy (`WHARF_PROXY_WORKERS`): this process
// is the primary and the CPU it reports includes its workers' (from /proc).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { benchProxyOptions } from './proxy-options.mjs';

const require = createRequire(import.meta.url);
const { createProxy, createProxySupervisor } = require('@wharf/proxy');

const upstreamPort = Number(process.argv[2]);
const deployment = process.argv[3] ?? 'bench';
const workers = Number(process.argv[4] ?? 1);

const common = benchProxyOptions(deployment, upstreamPort);
// Workers log to stdout (as in production); at `warn` they keep `--json` output clean.
const proxy =
  workers > 1 ? createProxySupervisor({ ...common, workers, logLevel: 'warn' }) : createProxy(common);

const address = await proxy.start();
if (workers > 1) {
  // Workers are listening; give them their first table (relayed from this process).
  await new Promise((resolve) => setTimeout(resolve, 200));
} else {
  while (proxy.table() === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
}
const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU (user + system, µs) of this process and, for the multi-process proxy, of its workers. */
function cpuUsage() {
  const own = process.cpuUsage();
  let user = own.user;
  let system = own.system;
  for (const pid of workers > 1 ? proxy.workerPids() : []) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    user += (Number(fields[11]) * 1e6) / ticks;
    system += (Number(fields[12]) * 1e6) / ticks;
  }
  return { user, system };
}

process.send({ port: address.port });
process.on('message', (message) => {
  if (message === 'cpu') process.send({ cpu: cpuUsage() });
  if (message === 'stop') void proxy.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
