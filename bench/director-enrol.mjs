#!/usr/bin/env node
// director-enrol: how long `wharf host enrol` takes against a director, end to end: GET /ca and
// the pin check, one RSA-2048 key per role generated on the host, POST /enrol (scrypt check of a
// roles token at the api's cost N=32768, one RSA-3072 signature per role, the versioned write
// consuming the one-shot token), the returned certificates checked and written. One embedded
// ZooKeeper and an in-process director on loopback; enrolments run one after another.
//   node bench/director-enrol.mjs [--runs 20] [--roles allocator,proxy]
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (scripts/bootstrap.sh).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, quantile } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { enrolHost, loadOrCreateCa } = require('@wharf/pki');
const { Director, createDirectorMetrics } = require('@wharf/director');
const { createMetrics, nullLogger } = require('@wharf/observability');
const { createRolesToken } = require('@wharf/testkit');

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, roles: { type: 'string', default: 'allocator,proxy' } },
});
const RUNS = Number(values.runs);
const ROLES = values.roles.split(',');
/** The api's scrypt cost for roles tokens (services/api/src/auth/api-key.ts SCRYPT_PARAMS). */
const API_SCRYPT_N = 32_768;

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-director-'));
const zk = new EmbeddedZooKeeper({ dataDir: join(dir, 'zk'), port: await freePort() });
await zk.start();
const session = new ZkSession({ connectString: zk.connectString, chroot: '/bench' });
await session.start();
const { ca } = await loadOrCreateCa(join(dir, 'ca'));
const director = new Director({
  id: 'director-bench',
  zk: session,
  ca,
  enrol: { host: '127.0.0.1', port: 0, names: [] },
  zkConnectString: zk.connectString,
  quorumIntervalMs: 5_000,
  metrics: createDirectorMetrics(createMetrics('director')),
  logger: nullLogger,
});
await director.start();
try {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const token = await createRolesToken(session, ROLES, { scryptN: API_SCRYPT_N });
    const t0 = process.hrtime.bigint();
    await enrolHost({
      director: director.enrolUrl,
      caFingerprint: director.caFingerprint,
      token,
      hostId: `host-${i}`,
      roles: ROLES,
      dir: join(dir, 'out', String(i)),
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const f = (p) => `${quantile(times, p).toFixed(0)} ms`;
  console.log(
    `director-enrol: ${RUNS} enrolments of ${ROLES.length} roles (${cpus().length} cores, load ${loadavg()[0].toFixed(2)})`,
  );
  console.log(
    `  p50 ${f(0.5)}, p95 ${f(0.95)}, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`,
  );
} finally {
  await director.close();
  await session.close();
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
