// Benchmark proxy: the real @wharf/proxy (built dist) with a static route table, so the measured
// path is the production request path (routing key, table lookup, balancer, http-proxy-3 over the
// keep-alive agent, metrics, access-log check) without a ZooKeeper server. Forked by bench/proxy.mjs.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createProxy, StaticRouteSource } = require('@wharf/proxy');
const { createLogger, createMetrics } = require('@wharf/observability');

const upstreamPort = Number(process.argv[2]);
const deployment = process.argv[3] ?? 'bench';

const route = {
  schema_version: 1,
  deployment_id: deployment,
  instances: [
    {
      instance_id: `${deployment}-main-0`,
      allocator_id: 'bench',
      ref_id: 'main',
      zone: 'zone-a',
      host: '127.0.0.1',
      port: upstreamPort,
      healthy: true,
    },
  ],
  updated: new Date().toISOString(),
};

const proxy = createProxy({
  routeSource: new StaticRouteSource([route]),
  // The production logger at the production level; as main.ts does at `info`, no access log lines.
  logger: createLogger({ service: 'proxy', level: 'info', stream: process.stderr }),
  accessLog: false,
  metrics: createMetrics('proxy'),
  id: 'proxy-bench',
  zone: 'zone-a',
  host: '127.0.0.1',
  port: 0,
});

const address = await proxy.start();
while (proxy.table() === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
process.send({ port: address.port });
process.on('message', (message) => {
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (message === 'stop') void proxy.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
