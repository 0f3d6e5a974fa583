#!/usr/bin/env node
// console: what the admin console costs a browser. Prints
//   - bundle size: each file of packages/console/dist/app raw and gzip -9, and the total a first
//     visit downloads;
//   - cold load: a fresh browser context (empty cache) from navigation to the sign-in form shown;
//   - signed-in list: a fresh context with the API key in sessionStorage, from navigation to the
//     deployment list rendered with all its rows (page + assets + GET /deployments);
// as median, p95, min and max over N runs. The api is the real built service (startApi) on a
// test ZooKeeper, serving the console on loopback; the browser is Debian's chromium.
//   node bench/console.mjs [--runs 20] [--deployments 20]
// Needs a build (`npm run build`), ZooKeeper's jars and chromium (WHARF_NEED_BROWSER=1 bash scripts/bootstrap.sh).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { etcdPlan, quantile } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { startApi, configFromEnv, apiKeyFile, versionsFromTable } = require('@wharf/api');
const { startZooKeeper, tempDir } = require('@wharf/testkit');
const { createTestLogger } = require('@wharf/observability');
const { chromium } = require('playwright-core');

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, deployments: { type: 'string', default: '20' } },
});
const RUNS = Number(values.runs);
const DEPLOYMENTS = Number(values.deployments);
// Runs before measuring: the api's JIT, its key-verification cache, chromium's own start-up.
const WARMUP_RUNS = 3;
const APP_DIR = join(import.meta.dirname, '..', 'packages', 'console', 'dist', 'app');

function bundleSizes() {
  const files = ['index.html', ...readdirSync(join(APP_DIR, 'assets')).map((f) => `assets/${f}`)];
  const rows = files.map((f) => {
    const body = readFileSync(join(APP_DIR, f));
    return { file: f, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  rows.push({
    file: 'total',
    raw: rows.reduce((n, r) => n + r.raw, 0),
    gzip: rows.reduce((n, r) => n + r.gzip, 0),
  });
  return rows;
}

function summary(label, ms) {
  const f = (v) => `${v.toFixed(0)} ms`;
  console.log(
    `${label.padEnd(16)} median ${f(quantile(ms, 0.5))}  p95 ${f(quantile(ms, 0.95))}  min ${f(Math.min(...ms))}  max ${f(Math.max(...ms))}  (n=${ms.length})`,
  );
}

console.log(
  `console bench: ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}, node ${process.version}`,
);
for (const r of bundleSizes())
  console.log(
    `  ${r.file.padEnd(28)} ${String(r.raw).padStart(8)} B raw ${String(r.gzip).padStart(7)} B gzip`,
  );

const zk = await startZooKeeper();
const home = await tempDir('wharf-bench-console');
const config = configFromEnv(
  {
    WHARF_ZK: zk.connectString,
    WHARF_ZK_CHROOT: '/bench-console',
    WHARF_HOME: home.path,
    WHARF_API_PORT: '0',
  },
  { hostname: 'bench', pid: process.pid },
);
const api = await startApi({
  config: { ...config, rateLimit: null },
  logger: createTestLogger(),
  version: '0.0.0-bench',
  supportedVersions: versionsFromTable({ etcd: ['3.4'], http: ['1'] }),
  print: () => undefined,
  pid: process.pid,
});
const browser = await chromium.launch({
  executablePath: process.env.WHARF_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const key = readFileSync(apiKeyFile(home.path), 'utf8').trim();
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const res = await fetch(`${api.url}/api/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `ApiKey ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(etcdPlan(`bench-${i}`, 3)),
    });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  }

  /** One navigation in a fresh context; resolves with the time until `ready` is visible. */
  const measure = async (signedIn) => {
    const context = await browser.newContext();
    if (signedIn) await context.addInitScript((k) => sessionStorage.setItem('wharf.apiKey', k), key);
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${api.url}/#/deployments`);
    if (signedIn) {
      await page
        .locator(`[data-deployment]`)
        .nth(DEPLOYMENTS - 1)
        .waitFor();
    } else {
      await page.locator('#api-key').waitFor();
    }
    const ms = performance.now() - start;
    await context.close();
    return ms;
  };
  const cold = [];
  const list = [];
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await measure(false);
    await measure(true);
  }
  // Alternating, so drift on a shared box hits both alike.
  for (let i = 0; i < RUNS; i++) {
    cold.push(await measure(false));
    list.push(await measure(true));
  }
  summary('cold load', cold);
  summary(`signed-in list (${DEPLOYMENTS} rows)`, list);
} finally {
  await browser.close();
  await api.close();
  await zk.stop();
  await home.cleanup();
}
