#!/usr/bin/env node
// zk-tls: what mutual TLS to ZooKeeper costs a Wharf service. One embedded ZooKeeper serves both
// its TLS port (secureClientPort, ssl.clientAuth=need, Netty) and a plaintext loopback port, so
// both paths hit the same JVM. Measures, alternating plaintext and TLS in blocks so drift on a
// shared box hits both alike:
//   - connect: ZkSession.start() until the session is connected (TCP [+ TLS handshake] + ConnectRequest);
//   - round trips: sequential getData, then setData, of a 100-byte znode on a connected session.
// Prints median, p95 and p99 for each and the TLS/plaintext ratio.
//   node bench/zk-tls.mjs [--gets 2000] [--sets 1000] [--connects 30] [--block 100]
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, quantile } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { createRootCa } = require('@wharf/pki');

const { values } = parseArgs({
  options: {
    gets: { type: 'string', default: '2000' },
    sets: { type: 'string', default: '1000' },
    connects: { type: 'string', default: '30' },
    block: { type: 'string', default: '100' },
  },
});
const GETS = Number(values.gets);
const SETS = Number(values.sets);
const CONNECTS = Number(values.connects);
const BLOCK = Number(values.block);
// Warm-up round trips per path before measuring: JIT on both sides, TLS session state.
const WARMUP_GETS = 300;

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-zk-tls-'));
const ca = await createRootCa();
const server = await ca.issue({
  profile: 'peer',
  subject: { hostId: 'zk-bench', role: 'zookeeper' },
  sans: { ips: ['127.0.0.1'] },
});
const client = await ca.issue({ profile: 'client', subject: { hostId: 'bench', role: 'tester' } });
const [tlsPort, plainPort] = [await freePort(), await freePort()];
const zk = new EmbeddedZooKeeper({
  dataDir: dir,
  port: tlsPort,
  tls: { cert: server.certPem, key: server.keyPem, ca: ca.certPem, plainPort },
});
const paths = {
  plain: { connectString: `127.0.0.1:${plainPort}` },
  tls: {
    connectString: `127.0.0.1:${tlsPort}`,
    tls: { ca: ca.certPem, cert: client.certPem, key: client.keyPem },
  },
};

const ms = (ns) => Number(ns) / 1e6;
const stats = (xs) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), p99: quantile(xs, 0.99) });
const fmt = (s) => `p50 ${s.p50.toFixed(3)} ms, p95 ${s.p95.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms`;
const session = (path) => new ZkSession({ ...paths[path], chroot: '', sessionTimeoutMs: 10_000 });

async function connectTimes() {
  const out = { plain: [], tls: [] };
  for (let i = 0; i < CONNECTS; i++) {
    for (const path of i % 2 === 0 ? ['plain', 'tls'] : ['tls', 'plain']) {
      const s = session(path);
      const t0 = process.hrtime.bigint();
      await s.start();
      out[path].push(ms(process.hrtime.bigint() - t0));
      await s.close();
    }
  }
  return out;
}

// One round trip of each kind: a read, and an unconditional write of the same 100 bytes (a
// write goes through the leader's commit path: a transaction log append and fsync).
const ops = {
  get: (s) => s.get('/zk-tls-bench'),
  set: (s) => s.set('/zk-tls-bench', PAYLOAD, -1),
};
const PAYLOAD = Buffer.alloc(100, 7);

async function roundTrips(op, count) {
  const sessions = { plain: session('plain'), tls: session('tls') };
  await Promise.all(Object.values(sessions).map((s) => s.start()));
  await sessions.plain.create('/zk-tls-bench', PAYLOAD).catch(() => undefined);
  for (const s of Object.values(sessions)) for (let i = 0; i < WARMUP_GETS; i++) await ops[op](s);
  const out = { plain: [], tls: [] };
  for (let done = 0; done < count; done += BLOCK) {
    for (const path of ['plain', 'tls']) {
      for (let i = 0; i < BLOCK; i++) {
        const t0 = process.hrtime.bigint();
        await ops[op](sessions[path]);
        out[path].push(ms(process.hrtime.bigint() - t0));
      }
    }
  }
  await Promise.all(Object.values(sessions).map((s) => s.close()));
  return out;
}

try {
  await zk.start();
  console.log(`zk-tls: ZooKeeper 3.8 (Netty), ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`);
  console.log(
    `  ${GETS} getData and ${SETS} setData per path (100 B, sequential, blocks of ${BLOCK}), ${CONNECTS} connects per path`,
  );
  const connects = await connectTimes();
  const gets = await roundTrips('get', GETS);
  const sets = await roundTrips('set', SETS);
  for (const [label, data] of [
    ['connect', connects],
    ['getData round trip', gets],
    ['setData round trip', sets],
  ]) {
    const plain = stats(data.plain);
    const tls = stats(data.tls);
    console.log(`${label}:`);
    console.log(`  plaintext   ${fmt(plain)}`);
    console.log(`  mutual TLS  ${fmt(tls)}`);
    console.log(
      `  TLS/plain   p50 ×${(tls.p50 / plain.p50).toFixed(2)} (+${(tls.p50 - plain.p50).toFixed(3)} ms)`,
    );
  }
} finally {
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
