// Route (a) experiment of bench/proxy-dataplane.mjs: the smallest Node forwarders, to see how far a
// leaner Node data plane could go before the proxy's features (routing, balancer, retries, health,
// metrics, traffic metering) are added back. Not product code. Modes:
//   http-request  Node's http.request over one keep-alive agent (what forwarder.ts does, bare)
//   undici        undici's Pool.dispatch with a raw handler: pooled connections, llhttp, no streams
//                 (the "pooled raw upstream connections as undici does" idea)
// Forked by bench/proxy-dataplane.mjs; reports its port.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [mode, upstreamPort] = [process.argv[2], Number(process.argv[3])];
const origin = `http://127.0.0.1:${upstreamPort}`;
/** Pooled connections to the upstream (the bench's 32 client connections fit). */
const POOL_CONNECTIONS = 64;
const HANDLING = ['x-wharf-handling-instance', 'bench-main-0'];
// Host is kept: the upstream sees the name the client used (as forwarder.ts does).
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function forwardHeaders(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

function viaHttpRequest() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: POOL_CONNECTIONS, scheduling: 'lifo' });
  return (req, res) => {
    const up = http.request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: forwardHeaders(req.rawHeaders),
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode, [...forwardHeaders(upRes.rawHeaders), ...HANDLING]);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
}

function viaUndici() {
  // undici 6 (present in node_modules through node-gyp); not a dependency of @wharf/proxy.
  const { Pool } = require('undici');
  const pool = new Pool(origin, { connections: POOL_CONNECTIONS, pipelining: 1 });
  return (req, res) => {
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.dispatch(
      {
        path: req.url,
        method: req.method,
        headers: forwardHeaders(req.rawHeaders),
        body: hasBody ? req : null,
      },
      {
        onConnect() {},
        onError() {
          res.destroy();
        },
        onHeaders(status, rawHeaders, resume) {
          res.on('drain', resume);
          const headers = [];
          for (let i = 0; i < rawHeaders.length; i += 2) {
            const name = rawHeaders[i].toString('latin1');
            if (!HOP.has(name.toLowerCase())) headers.push(name, rawHeaders[i + 1].toString('latin1'));
          }
          res.writeHead(status, [...headers, ...HANDLING]);
          return true;
        },
        onData(chunk) {
          return res.write(chunk);
        },
        onComplete() {
          res.end();
        },
      },
    );
  };
}

const handler = mode === 'undici' ? viaUndici() : viaHttpRequest();
const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
