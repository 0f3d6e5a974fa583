// Closed-loop load generator for bench/proxy-tls.mjs, one mode per run, in its own process:
//   node load-h1-h2.mjs <mode: http|https|h2> <port> <host header> <concurrency> <seconds> [ca file]
// `http`/`https`: <concurrency> keep-alive HTTP/1.1 connections, one request at a time each.
// `h2`: one TLS connection (ALPN h2) with <concurrency> streams in flight, as a gRPC client would.
// Every response time is recorded (µs resolution); prints one JSON line: requests, errors, p50, p99.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';

const [mode, portText, host, concurrencyText, secondsText, caFile] = process.argv.slice(2);
const port = Number(portText);
const concurrency = Number(concurrencyText);
const seconds = Number(secondsText);
const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
const servername = host.split(':')[0];

const times = [];
let errors = 0;
let stop = false;

function h1Worker(agent, client) {
  return new Promise((resolve) => {
    const next = () => {
      if (stop) return resolve();
      const started = process.hrtime.bigint();
      const req = client.get(
        { host: '127.0.0.1', port, path: '/', headers: { host }, agent, ca, servername },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) times.push(Number(process.hrtime.bigint() - started) / 1e6);
            else errors += 1;
            next();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        next();
      });
    };
    next();
  });
}

function h2Worker(session) {
  return new Promise((resolve) => {
    const next = () => {
      if (stop) return resolve();
      const started = process.hrtime.bigint();
      const req = session.request({ ':path': '/', ':authority': host });
      let status = 0;
      req.on('response', (h) => (status = h[':status']));
      req.resume();
      req.on('end', () => {
        if (status === 200) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        else errors += 1;
        next();
      });
      req.on('error', () => {
        errors += 1;
        next();
      });
      req.end();
    };
    next();
  });
}

const began = Date.now();
setTimeout(() => (stop = true), seconds * 1000);
let session;
if (mode === 'h2') {
  session = http2.connect(`https://127.0.0.1:${port}`, { ca, servername });
  await Promise.all(Array.from({ length: concurrency }, () => h2Worker(session)));
  session.close();
} else {
  const client = mode === 'https' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: concurrency });
  await Promise.all(Array.from({ length: concurrency }, () => h1Worker(agent, client)));
  agent.destroy();
}
const elapsed = (Date.now() - began) / 1000;
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ mode, requests: times.length, errors, reqPerSec: times.length / elapsed, p50: pct(50), p99: pct(99) })}\n`,
);
