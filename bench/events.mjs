#!/usr/bin/env node
// events: what alert events cost the platform and how fast they reach a webhook. Prints
//   - emit(): how long `EventRecorder.emit()` holds its caller (it must never wait on ZooKeeper);
//   - record: emit → the event's znode exists (the background write);
//   - webhook: emit → a loopback receiver has the signed POST, through the real `WebhookNotifier`
//     at the constructor's default tick (1 s) and at a 50 ms tick (the tick bounds the latency);
// as median, p95, min and max over N events. Real ZooKeeper (testkit) on loopback.
//   node bench/events.mjs [--runs 30]
// Needs a build (`npx tsc -b tsconfig.json`) and ZooKeeper's jars (bash scripts/bootstrap.sh).
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { freePort, quantile, sleep } from './lib/platform.mjs';

const require = createRequire(import.meta.url);
const { startZooKeeper } = require('@wharf/testkit');
const { ZkSession, EventRecorder } = require('@wharf/zk');
const { WebhookNotifier, verifySignature } = require('@wharf/constructor');
const { createTestLogger } = require('@wharf/observability');

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const RUNS = Number(values.runs);
const SECRET = 'bench-secret';

function summary(label, values, unit = 'ms', digits = 0) {
  const f = (v) => `${v.toFixed(digits)} ${unit}`;
  console.log(
    `${label.padEnd(34)} median ${f(quantile(values, 0.5))}  p95 ${f(quantile(values, 0.95))}  min ${f(Math.min(...values))}  max ${f(Math.max(...values))}`,
  );
}

async function measure(zk, recorder, tickMs, received) {
  const port = received.port;
  await zk.mkdirp('/platform');
  await zk.mkdirp('/webhook-deliveries');
  const id = `t${tickMs}`;
  const now = new Date().toISOString();
  const names = await zk.children('/events').catch(() => []);
  const newest = names.length ? Math.max(...names.map((n) => Number(n.slice(6)))) : -1;
  const targets = {
    schema_version: 1,
    targets: [{ id, url: `http://127.0.0.1:${port}/`, secret: SECRET }],
    updated: now,
  };
  await zk.deleteRecursive('/platform/webhooks').catch(() => undefined);
  await zk.create('/platform/webhooks', JSON.stringify(targets));
  await zk.create(
    `/webhook-deliveries/${id}`,
    JSON.stringify({ schema_version: 1, target_id: id, through_seq: newest, failures: 0, updated: now }),
  );
  const notifier = new WebhookNotifier({ zk, logger: createTestLogger(), clock: Date, tickMs });
  notifier.start();
  const emitUs = [];
  const toWebhook = [];
  for (let i = 0; i < RUNS; i++) {
    const before = received.count;
    const t0 = performance.now();
    recorder.emit({ type: 'plan-failed', severity: 'warning', deployment_id: 'bench', message: `run ${i}` });
    emitUs.push((performance.now() - t0) * 1000);
    while (received.count === before) await sleep(2);
    toWebhook.push(performance.now() - t0);
    if (!received.lastValid) throw new Error('a POST with a bad signature');
    await sleep(Math.random() * tickMs); // events arrive at any point of a tick
  }
  await notifier.close();
  return { emitUs, toWebhook };
}

async function main() {
  const server = await startZooKeeper();
  const zk = new ZkSession({ connectString: server.connectString, chroot: '/bench-events' });
  await zk.start();
  const recorder = new EventRecorder(zk);
  const received = { count: 0, lastValid: false, port: await freePort() };
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.lastValid = verifySignature(
        SECRET,
        Number(req.headers['x-wharf-timestamp']),
        body,
        String(req.headers['x-wharf-signature']),
        Math.floor(Date.now() / 1000),
      );
      received.count++;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise((r) => http.listen(received.port, '127.0.0.1', r));
  try {
    // Record latency alone: emit → znode present.
    const record = [];
    for (let i = 0; i < RUNS; i++) {
      const before = (await zk.children('/events').catch(() => [])).length;
      const t0 = performance.now();
      recorder.emit({ type: 'quota-reached', severity: 'warning', organization_id: 'bench', message: 'q' });
      await recorder.flush();
      record.push(performance.now() - t0);
      if ((await zk.children('/events')).length <= before && before < 1000) throw new Error('not recorded');
    }
    console.log(`events bench: ${RUNS} runs each, load ${loadavg()[0].toFixed(2)}`);
    summary('record (emit → znode written)', record);
    for (const tick of [1000, 50]) {
      const { emitUs, toWebhook } = await measure(zk, recorder, tick, received);
      summary(`emit() holds the caller (tick ${tick})`, emitUs, 'µs', 1);
      summary(`emit → signed POST (tick ${tick} ms)`, toWebhook);
    }
  } finally {
    http.close();
    await zk.close();
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
