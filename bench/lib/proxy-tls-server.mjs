// Benchmark proxy with its TLS port: the real @wharf/proxy (built dist) with a static route table,
// serving plain HTTP/1.1 (+h2c) on one port and TLS (HTTP/1.1 and h2 by ALPN) on another, with a
// wildcard certificate from a throwaway Wharf CA. Forked by bench/proxy-tls.mjs, which is sent the
// CA and the certificate so HAProxy can serve the same one.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createProxy, StaticRouteSource } = require('@wharf/proxy');
const { createLogger, createMetrics } = require('@wharf/observability');
const { createRootCa } = require('@wharf/pki');

const upstreamPort = Number(process.argv[2]);
const deployment = process.argv[3] ?? 'bench';
const domain = 'wharf.test';

const ca = await createRootCa();
const issued = await ca.issue({
  profile: 'server',
  subject: { hostId: 'bench', role: 'proxy' },
  sans: { dns: [`*.${domain}`, domain] },
});
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
  logger: createLogger({ service: 'proxy', level: 'info', stream: process.stderr }),
  accessLog: false,
  metrics: createMetrics('proxy'),
  id: 'proxy-bench',
  domain,
  host: '127.0.0.1',
  port: 0,
  tls: {
    port: 0,
    certificate: { certPem: issued.certPem, keyPem: issued.keyPem, notAfter: issued.info.notAfter },
  },
});
const address = await proxy.start();
while (proxy.table() === undefined) await new Promise((resolve) => setTimeout(resolve, 5));

process.send({
  port: address.port,
  tlsPort: proxy.tlsAddress().port,
  caPem: ca.certPem,
  certPem: issued.certPem,
  keyPem: issued.keyPem,
});
process.on('message', (message) => {
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (message === 'stop') void proxy.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
