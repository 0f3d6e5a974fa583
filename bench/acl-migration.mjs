#!/usr/bin/env node
// acl-migration: how long `wharf platform secure-acls` (@wharf/zk migrateAcls) takes on a tree
// written in plain mode. One embedded ZooKeeper serves a plaintext loopback port (to write the
// open tree fast) and its TLS port (the migration runs over mutual TLS with a director
// certificate, as the command does). Two chroots get the same tree, each migrated once at a
// different concurrency; then the idempotent rerun (nothing left to change) is timed.
//   node bench/acl-migration.mjs [--deployments 500] [--concurrency 8]
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession, migrateAcls } = require('@wharf/zk');
const { createRootCa } = require('@wharf/pki');

const { values } = parseArgs({
  options: {
    deployments: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
  },
});
const DEPLOYMENTS = Number(values.deployments);
const CONCURRENCY = Number(values.concurrency);

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-acl-migration-'));
const ca = await createRootCa();
const server = await ca.issue({
  profile: 'peer',
  subject: { hostId: 'zk-bench', role: 'zookeeper' },
  sans: { ips: ['127.0.0.1'] },
});
const director = await ca.issue({ profile: 'client', subject: { hostId: 'bench', role: 'director' } });
const [tlsPort, plainPort] = [await freePort(), await freePort()];
const zk = new EmbeddedZooKeeper({
  dataDir: dir,
  port: tlsPort,
  tls: { cert: server.certPem, key: server.keyPem, ca: ca.certPem, plainPort },
});

/** Per deployment: the deployment, plan, plan/pending and its route (4 nodes). */
async function writeTree(chroot) {
  const s = new ZkSession({ connectString: `127.0.0.1:${plainPort}`, chroot });
  await s.start();
  await s.mkdirp('/deployments');
  await s.mkdirp('/routes');
  const writes = [];
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const tx = s.transaction();
    tx.create(`/deployments/d${i}`, '{"v":1}');
    tx.create(`/deployments/d${i}/plan`, '');
    tx.create(`/deployments/d${i}/plan/pending`, '{"plan":{}}');
    tx.create(`/routes/d${i}`, '{"instances":[]}');
    writes.push(tx.commit());
    if (writes.length >= 50) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  await s.close();
}

async function migrate(chroot, concurrency) {
  const s = new ZkSession({
    connectString: `127.0.0.1:${tlsPort}`,
    chroot,
    tls: { ca: ca.certPem, cert: director.certPem, key: director.keyPem },
    acl: null,
  });
  await s.start();
  const t0 = process.hrtime.bigint();
  const report = await migrateAcls(s, { concurrency });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await s.close();
  return { ms, report };
}

try {
  await zk.start();
  await writeTree('/wharf-a');
  await writeTree('/wharf-b');
  const rows = [];
  for (const [chroot, concurrency] of [
    ['/wharf-a', 1],
    ['/wharf-b', CONCURRENCY],
  ]) {
    const first = await migrate(chroot, concurrency);
    const rerun = await migrate(chroot, concurrency);
    rows.push({
      concurrency,
      nodes: first.report.visited,
      secured: first.report.secured,
      migrate_ms: Math.round(first.ms),
      nodes_per_s: Math.round(first.report.visited / (first.ms / 1000)),
      rerun_ms: Math.round(rerun.ms),
      rerun_secured: rerun.report.secured,
    });
  }
  console.log(
    JSON.stringify({ cpus: cpus().length, loadavg: loadavg().map((l) => l.toFixed(2)), rows }, null, 2),
  );
} finally {
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
