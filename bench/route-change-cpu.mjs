#!/usr/bin/env node
// route-change-cpu: what one route change costs a proxy's routing side, in CPU time (robust on a
// shared box, where wall-clock latencies mostly measure the neighbours). In one process: an
// embedded ZooKeeper, R routes, and the proxy's own ZkRouteSource + RouteTableCache on their own
// session; then K routes are created one at a time, each awaited until the table has it, and the
// process CPU time per change is reported (the writer's share is included and is the same for
// any build). Run it from a checkout to measure that checkout's build.
//   node bench/route-change-cpu.mjs [--routes 1000,10000] [--changes 200]
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchRoute } from './lib/proxy-options.mjs';
import { freePort, quantile } from './lib/platform.mjs';

const require = createRequire(join(process.cwd(), 'package.json'));
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { paths, serializeDocument } = require('@wharf/model');
const { RouteTableCache, ZkRouteSource, createProxyMetrics, systemClock } = require('@wharf/proxy');
const { createLogger, createMetrics } = require('@wharf/observability');

const { values } = parseArgs({
  options: { routes: { type: 'string', default: '1000,10000' }, changes: { type: 'string', default: '200' } },
});
const ROUTE_COUNTS = values.routes.split(',').map(Number);
const CHANGES = Number(values.changes);
/** Creates in flight while the tree is filled. */
const FILL_CONCURRENCY = 256;
const data = (d) => serializeDocument('route', benchRoute(d, 20000));
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-route-cpu-'));
const zk = new EmbeddedZooKeeper({ dataDir: dir, port: await freePort() });
await zk.start();
const logger = createLogger({ service: 'bench', level: 'error', stream: process.stderr });
try {
  for (const routes of ROUTE_COUNTS) {
    const chroot = `/bench-cpu-${routes}`;
    const writer = new ZkSession({ connectString: zk.connectString, chroot, sessionTimeoutMs: 20_000 });
    await writer.start();
    await writer.mkdirp(paths.routes());
    let next = 0;
    const fill = async () => {
      for (let i = next++; i < routes; i = next++) await writer.create(paths.route(`r${i}`), data(`r${i}`));
    };
    await Promise.all(Array.from({ length: FILL_CONCURRENCY }, fill));
    const reader = new ZkSession({ connectString: zk.connectString, chroot, sessionTimeoutMs: 20_000 });
    await reader.start();
    let waiting;
    const cache = new RouteTableCache({
      source: new ZkRouteSource({ zk: reader, logger }),
      logger,
      metrics: createProxyMetrics(createMetrics('proxy')),
      clock: systemClock,
      onSwap: (table) => {
        if (waiting !== undefined && table.routes.has(waiting.name)) waiting.resolve();
      },
    });
    const t0 = cpuMs();
    await cache.start();
    while (cache.current()?.routes.size !== routes) await new Promise((r) => setTimeout(r, 5));
    const loadMs = cpuMs() - t0;
    const perChange = [];
    for (let k = 0; k < CHANGES; k++) {
      const name = `c${k}`;
      const c0 = cpuMs();
      await new Promise((resolve) => {
        waiting = { name, resolve };
        void writer.create(paths.route(name), data(name));
      });
      perChange.push(cpuMs() - c0);
    }
    await cache.close();
    await reader.close();
    await writer.close();
    const q = (p) => quantile(perChange, p).toFixed(2);
    console.log(
      `${routes} routes: first load ${loadMs.toFixed(0)} CPU ms; per created route CPU ms p50 ${q(0.5)} / p90 ${q(0.9)} / p99 ${q(0.99)} ` +
        `(mean ${(perChange.reduce((a, b) => a + b, 0) / CHANGES).toFixed(2)}, ${CHANGES} changes, load ${loadavg()[0].toFixed(1)})`,
    );
  }
} finally {
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
