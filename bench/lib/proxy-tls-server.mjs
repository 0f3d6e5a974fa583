// Benchmark proxy with its TLS port: the real @wharf/proxy (built dist) with a static route table,
// serving plain HTTP/1.1 (+h2c) on one port and TLS (HTTP/1.1 and h2 by ALPN) on another, with a
// wildcard certificate from a throwaway Wharf CA. Forked by bench/proxy-tls.mjs, which is sent the
// CA and the certificate so HAProxy can serve the same one.
import { createRequire } from 'node:module';
import { benchProxyOptions } from './proxy-options.mjs';

const require = createRequire(import.meta.url);
const { createProxy } = require('@wharf/proxy');
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
const proxy = createProxy({
  ...benchProxyOptions(deployment, upstreamPort),
  domain,
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
