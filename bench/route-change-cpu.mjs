#!/usr/bin/env node
// route-change-cpu: what one route change costs a proxy's routing side, in CPU time (robust on a
// shared box, where wall-clock latencies mostly measure the neighbours). In one process: an
// embedded ZooKeeper, R routes, and the proxy's own ZkRouteSource + RouteTableCache on their own
// session; then K routes are created one at a time, each awaited until the table has it, and the
// process CPU time per change is reported (the writer's share is included and is the same for
// any build). Each swap is also handed to the proxy's address-keyed pools (`UpstreamAgents`,
// `H2Upstreams`), as `proxy.ts` does. Then the K routes are deleted the same way. Measures the
// build of the current directory's checkout, or of `--root <checkout>`.
//   node bench/route-change-cpu.mjs [--routes 1000,10000] [--changes 200] [--root <checkout>]
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchRoute } from './lib/proxy-options.mjs';
import { freePort, quantile } from './lib/platform.mjs';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: '1000,10000' },
    changes: { type: 'string', default: '200' },
    root: { type: 'string', default: process.cwd() },
  },
});
const ROOT = resolve(values.root);
const require = createRequire(join(ROOT, 'package.json'));
const { EmbeddedZooKeeper, ZkSession } = require('@wharf/zk');
const { paths, serializeDocument } = require('@wharf/model');
const { RouteTableCache, ZkRouteSource, createProxyMetrics, systemClock } = require('@wharf/proxy');
const { createLogger, createMetrics } = require('@wharf/observability');
// Not exported by the package: the pools' own modules of the build measured.
const { UpstreamAgents } = require(join(ROOT, 'services/proxy/dist/upstream-agent.js'));
const { H2Upstreams } = require(join(ROOT, 'services/proxy/dist/h2-upstreams.js'));

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
    const agents = new UpstreamAgents(systemClock);
    const h2 = new H2Upstreams(systemClock);
    const cache = new RouteTableCache({
      source: new ZkRouteSource({ zk: reader, logger }),
      logger,
      metrics: createProxyMetrics(createMetrics('proxy')),
      clock: systemClock,
      onSwap: (table, change) => {
        agents.retain(table, change);
        h2.retain(table, change);
        if (waiting !== undefined && table.routes.has(waiting.name) !== waiting.gone) waiting.resolve();
      },
    });
    const t0 = cpuMs();
    await cache.start();
    while (cache.current()?.routes.size !== routes) await new Promise((r) => setTimeout(r, 5));
    const loadMs = cpuMs() - t0;
    const measure = async (gone, write) => {
      const out = [];
      for (let k = 0; k < CHANGES; k++) {
        const name = `c${k}`;
        const c0 = cpuMs();
        await new Promise((done) => {
          waiting = { name, gone, resolve: done };
          void write(name);
        });
        out.push(cpuMs() - c0);
      }
      return out;
    };
    const perChange = await measure(false, (name) => writer.create(paths.route(name), data(name)));
    const perDelete = await measure(true, (name) => writer.delete(paths.route(name), -1));
    agents.close();
    h2.close();
    await cache.close();
    await reader.close();
    await writer.close();
    const q = (xs) => (p) => quantile(xs, p).toFixed(2);
    const line = (xs) =>
      `p50 ${q(xs)(0.5)} / p90 ${q(xs)(0.9)} / p99 ${q(xs)(0.99)} (mean ${(xs.reduce((a, b) => a + b, 0) / CHANGES).toFixed(2)})`;
    console.log(
      `${routes} routes: first load ${loadMs.toFixed(0)} CPU ms; per created route CPU ms ${line(perChange)}; ` +
        `per deleted route ${line(perDelete)} (${CHANGES} each, load ${loadavg()[0].toFixed(1)}, ${ROOT})`,
    );
  }
} finally {
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
