#!/usr/bin/env node
// Proxy TLS benchmark: the same tiny upstream through @wharf/proxy as plaintext HTTP/1.1, as
// HTTP/1.1 over TLS and as HTTP/2 over TLS (ALPN h2), and through HAProxy with TLS (one thread,
// when Debian's haproxy is installed), all in one run.
//
//   npx tsc -b services/proxy && node bench/proxy-tls.mjs [--duration 8] [--connections 32]
//        [--probe-duration 3] [--rounds 3] [--warmup 1] [--json]
//
// Separate processes: the upstream, the proxy, HAProxy and each load generator run
// (bench/lib/load-h1-h2.mjs, a closed loop recording every response time). Saturation: HTTP/1.1
// modes use --connections keep-alive connections; h2 uses one connection with as many streams
// in flight. Probe: one request at a time for --probe-duration s (the latency one hop adds when
// not saturated). Ratios are against plaintext HTTP/1.1 through the same proxy in the same round:
// --rounds runs every target once per round, and the medians over rounds are printed, so a burst
// of other work on a shared box skews one round rather than one target. Durations may be
// fractional; --warmup 0 skips the warm-up load before the first round (CI's smoke run).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChild, stopChild } from './lib/children.mjs';
import { installed, startHaproxy } from './lib/reference-proxies.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DEPLOYMENT = 'bench';
const HOST = `${DEPLOYMENT}.wharf.test`;

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '32' },
    'probe-duration': { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});
const duration = Number(opts.duration);
const connections = Number(opts.connections);
const probeDuration = Number(opts['probe-duration']);
const rounds = Number(opts.rounds);
/** Seconds of load per target before the first round (JIT, TLS session caches); 0 skips it. */
const warmup = Number(opts.warmup);
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

function load(mode, port, concurrency, seconds, caFile) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(here, 'lib', 'load-h1-h2.mjs'),
        mode,
        String(port),
        HOST,
        String(concurrency),
        String(seconds),
        caFile,
      ],
      { maxBuffer: 1 << 20 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))),
    );
  });
}

const f = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'wharf-bench-tls-'));
  const upstream = await startChild('proxy-upstream.mjs', []);
  const proxy = await startChild('proxy-tls-server.mjs', [String(upstream.port), DEPLOYMENT]);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, proxy.caPem);
  const haproxy = installed('haproxy')
    ? await startHaproxy(dir, upstream.port, { certPem: proxy.certPem, keyPem: proxy.keyPem })
    : undefined;
  try {
    const targets = [
      ['proxy http/1.1 plaintext', 'http', proxy.port],
      ['proxy http/1.1 over TLS', 'https', proxy.tlsPort],
      ['proxy h2 over TLS', 'h2', proxy.tlsPort],
      ...(haproxy
        ? [
            ['haproxy http/1.1 over TLS', 'https', haproxy.port],
            ['haproxy h2 over TLS', 'h2', haproxy.port],
          ]
        : []),
    ];
    if (warmup > 0) for (const [, mode, port] of targets) await load(mode, port, connections, warmup, caFile);
    const perRound = [];
    for (let round = 0; round < rounds; round += 1) {
      const results = [];
      for (const [name, mode, port] of targets) {
        const saturation = await load(mode, port, connections, duration, caFile);
        const probe = await load(mode, port, 1, probeDuration, caFile);
        results.push({ name, saturation, probe });
      }
      perRound.push(results);
    }
    const results = targets.map(([name], i) => {
      const runs = perRound.map((round) => round[i]);
      const base = perRound.map((round) => round[0]);
      return {
        name,
        reqPerSec: median(runs.map((r) => r.saturation.reqPerSec)),
        p50: median(runs.map((r) => r.saturation.p50)),
        p99: median(runs.map((r) => r.saturation.p99)),
        probeP50: median(runs.map((r) => r.probe.p50)),
        throughputRatio: median(runs.map((r, k) => r.saturation.reqPerSec / base[k].saturation.reqPerSec)),
        addedProbeP50Ms: median(runs.map((r, k) => r.probe.p50 - base[k].probe.p50)),
        errors: runs.reduce((n, r) => n + r.saturation.errors + r.probe.errors, 0),
      };
    });
    const summary = {
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        node: process.version,
        load: os.loadavg(),
      },
      settings: { duration, connections, probeDuration, rounds },
      results,
      perRound,
    };
    if (opts.json) return void process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `machine: ${summary.machine.cores} cores (${summary.machine.cpu}), node ${process.version}, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `saturation: ${connections} connections (h2: streams on one connection), ${duration} s; probe: 1 at a time, ${probeDuration} s; medians of ${rounds} rounds`,
    );
    console.log('');
    console.log(
      'target                        req/s   vs plain   p50 ms  p99 ms   probe p50 ms  added p50 ms  errors',
    );
    for (const r of results) {
      console.log(
        `  ${r.name.padEnd(28)}${f(r.reqPerSec, 0).padStart(6)}   ${f(r.throughputRatio * 100, 1).padStart(6)} %` +
          `${f(r.p50).padStart(8)}${f(r.p99).padStart(8)}   ${f(r.probeP50, 3).padStart(12)}` +
          `  ${f(r.addedProbeP50Ms, 3).padStart(12)}  ${r.errors}`,
      );
    }
  } finally {
    haproxy?.stop();
    await Promise.all([stopChild(proxy.child), stopChild(upstream.child)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
