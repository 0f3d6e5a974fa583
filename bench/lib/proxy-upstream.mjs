// Benchmark upstream: a minimal HTTP server answering a ~40-byte JSON body, run as its own process
// (forked by bench/proxy.mjs) so it never shares an event loop with the proxy or the load generator.
import http from 'node:http';

const BODY = Buffer.from(JSON.stringify({ ok: true, instance: 'bench-main-0' }));

const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
  res.end(BODY);
});

server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port, bytes: BODY.length }));
process.on('message', (message) => {
  if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  if (message === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
