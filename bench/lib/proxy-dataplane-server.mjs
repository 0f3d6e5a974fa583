// Benchmark proxy with the HAProxy data plane (`WHARF_PROXY_DATAPLANE=haproxy`): the real
// @wharf/proxy (built dist) as the control plane with a static route table, programming an HAProxy
// (one thread) it spawns. Forked by bench/proxy-dataplane.mjs; reports its port once HAProxy
// routes the deployment itself. CPU is read by the parent from /proc (this process and HAProxy).
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { benchProxyOptions } from './proxy-options.mjs';

const require = createRequire(import.meta.url);
const { createProxy, HaproxyDataPlane } = require('@wharf/proxy');

const upstreamPort = Number(process.argv[2]);
const deployment = process.argv[3] ?? 'bench';
const threads = Number(process.argv[4] ?? 1);
// `nochecks`: slot servers without TCP checks and ejection (to measure what they cost).
const serverChecks = process.argv[5] !== 'nochecks';

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const common = benchProxyOptions(deployment, upstreamPort);
const dataPlane = new HaproxyDataPlane({
  logger: common.logger,
  host: '127.0.0.1',
  port,
  domain: 'localhost',
  threads,
});
const proxy = createProxy({ ...common, dataPlane });
await proxy.start();
// The first table reaches HAProxy a few milliseconds after start (coalescing, then the runtime API).
while (dataPlane.syncCounters().syncs === 0) await new Promise((resolve) => setTimeout(resolve, 5));
await dataPlane.settled();

process.send({ port, haproxyPid: dataPlane.pid });
process.on('message', (message) => {
  if (message === 'stop') void proxy.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
