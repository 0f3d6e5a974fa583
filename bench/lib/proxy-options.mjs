// What the benchmark proxies share: the real @wharf/proxy's options with a static route table of one
// deployment on one upstream, so the measured path is the production request path (routing key,
// table lookup, balancer, forwarder, metrics) without a ZooKeeper server.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { StaticRouteSource } = require('@wharf/proxy');
const { createLogger, createMetrics } = require('@wharf/observability');

/** A route entry of `deployment` with one healthy instance on 127.0.0.1:`upstreamPort`. */
export function benchRoute(deployment, upstreamPort) {
  return {
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
}

/** `createProxy` options routing `deployment` to 127.0.0.1:`upstreamPort`, on a free port. */
export function benchProxyOptions(deployment, upstreamPort) {
  const route = benchRoute(deployment, upstreamPort);
  return {
    routeSource: new StaticRouteSource([route]),
    // The production logger at the production level; as main.ts does at `info`, no access log lines.
    logger: createLogger({ service: 'proxy', level: 'info', stream: process.stderr }),
    accessLog: false,
    metrics: createMetrics('proxy'),
    id: 'proxy-bench',
    zone: 'zone-a',
    host: '127.0.0.1',
    port: 0,
  };
}
