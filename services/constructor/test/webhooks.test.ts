/**
 * Alert events and webhooks against a real ZooKeeper and real HTTP receivers on loopback:
 * a constructor whose plan fails posts a signed `plan-failed` event; a receiver that is down at
 * first gets its event once it is back (back-off retries) while another receiver is served at
 * once and recording never waits; a receiver that keeps failing gets a dead letter; a new
 * notifier (a leader failover) continues from the persisted cursors without re-sending.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { paths, serializeDocument, type WebhookTarget } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { freePort, useZooKeeper, waitFor } from '@wharf/testkit';
import { EventRecorder, type ZkSession } from '@wharf/zk';
import { createConstructor } from '../src/constructor';
import { WebhookNotifier } from '../src/events/notifier';
import { verifySignature } from '../src/events/signature';
import { FakeClusterStack } from './fake-stack';
import { etcdPlanDoc } from './fixtures';
import { TEST_TIMING, createDeployment, preparePlatform, startAllocators, waitForAttempt } from './harness';

jest.setTimeout(30_000);

const fixture = useZooKeeper();
const SECRET = 'test-secret-not-logged';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that answers `status()` and records every POST. */
async function receiver(
  port: number,
  status: () => number = () => 204,
): Promise<{ got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = status();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { got, server };
}

async function configure(zk: ZkSession, targets: WebhookTarget[]): Promise<void> {
  await zk.mkdirp('/platform');
  await zk.mkdirp(paths.webhookDeliveries());
  const now = new Date().toISOString();
  const tx = zk
    .transaction()
    .create(paths.webhooks(), serializeDocument('webhooks', { schema_version: 1, targets, updated: now }));
  // Cursors the way the api writes them: from the newest event (none yet).
  for (const t of targets)
    tx.create(
      paths.webhookDelivery(t.id),
      serializeDocument('webhook-delivery', {
        schema_version: 1,
        target_id: t.id,
        through_seq: -1,
        failures: 0,
        updated: now,
      }),
    );
  await tx.commit();
}

function signed(r: Received): boolean {
  return verifySignature(
    SECRET,
    Number(r.headers['x-wharf-timestamp']),
    r.body,
    String(r.headers['x-wharf-signature']),
    Math.floor(Date.now() / 1000),
  );
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

test('a failed plan reaches a webhook as a signed plan-failed event', async () => {
  const zk = await fixture.session();
  await preparePlatform(zk);
  const port = await freePort();
  const hook = await receiver(port);
  closers.push(() => new Promise((r) => hook.server.close(r)));
  await configure(zk, [{ id: 'ops', url: `http://127.0.0.1:${port}/hook`, secret: SECRET }]);
  const allocators = await startAllocators(zk, [['a1', 'zone-a']]);
  closers.push(async () => Promise.all(allocators.map((a) => a.close())));
  const logger = createTestLogger();
  const constructor = createConstructor({
    zk: await fixture.session(),
    id: 'c-one',
    stacks: () => new FakeClusterStack(),
    timing: TEST_TIMING,
    notifierTickMs: 100,
    heartbeatIntervalMs: 0,
    meteringTickMs: 0,
    logger,
  });
  await constructor.start();
  closers.push(() => constructor.close());

  await createDeployment(zk, etcdPlanDoc('d1', { planId: 'p-huge', zoneCount: 1, memoryMb: 1_000_000 }));
  expect((await waitForAttempt(zk, 'd1', 'p-huge')).status).toBe('error');
  await waitFor(() => hook.got.length > 0, { timeoutMs: 10_000, message: 'the webhook POST' });
  const post = hook.got[0]!;
  expect(signed(post)).toBe(true);
  const event = JSON.parse(post.body);
  expect(event).toMatchObject({ type: 'plan-failed', severity: 'warning', deployment_id: 'd1' });
  expect(event.message).toMatch(/p-huge failed \(ClusterFailure:NoCapacity\)/);
  expect(post.headers['x-wharf-event-id']).toBe(event.id);
  expect(JSON.stringify(logger.entries)).not.toContain(SECRET);
  expect(JSON.stringify(logger.entries)).not.toContain(`127.0.0.1:${port}`);
});

test('a receiver down at first gets the event when back, another is served meanwhile, nothing waits', async () => {
  const zk = await fixture.session();
  const [upPort, downPort] = [await freePort(), await freePort()];
  const up = await receiver(upPort);
  closers.push(() => new Promise((r) => up.server.close(r)));
  await configure(zk, [
    { id: 'up', url: `http://127.0.0.1:${upPort}/`, secret: SECRET },
    { id: 'down', url: `http://127.0.0.1:${downPort}/`, secret: SECRET },
  ]);
  const start = (): WebhookNotifier => {
    const n = new WebhookNotifier({
      zk,
      logger: createTestLogger(),
      clock: { now: () => Date.now() },
      tickMs: 50,
      policy: { maxAttempts: 50, backoff: { baseMs: 50, maxMs: 200 } },
    });
    n.start();
    closers.push(() => n.close());
    return n;
  };
  const notifier = start();
  const recorder = new EventRecorder(zk, { logger: createTestLogger() });
  const before = performance.now();
  recorder.emit({ type: 'allocator-lost', severity: 'critical', allocator_id: 'a1', message: 'a1 lost' });
  // Recording is fire-and-forget: the caller never waits on ZooKeeper or on a receiver.
  expect(performance.now() - before).toBeLessThan(20);
  await recorder.flush();

  await waitFor(() => up.got.length === 1, { timeoutMs: 5_000, message: 'delivery to the live receiver' });
  await waitFor(
    async () => {
      const cursor = JSON.parse((await zk.get(paths.webhookDelivery('down'))).data.toString());
      return cursor.failures >= 2;
    },
    { timeoutMs: 5_000, message: 'retries to the dead receiver' },
  );
  const down = await receiver(downPort);
  closers.push(() => new Promise((r) => down.server.close(r)));
  await waitFor(() => down.got.length === 1, { timeoutMs: 5_000, message: 'delivery once back' });
  expect(signed(down.got[0]!)).toBe(true);
  expect(Number(down.got[0]!.headers['x-wharf-delivery-attempt'])).toBeGreaterThan(1);
  expect(JSON.parse(down.got[0]!.body).id).toBe(JSON.parse(up.got[0]!.body).id);

  // Failover: a new notifier continues from the cursors; what was acknowledged is not re-sent.
  await notifier.close();
  await notifier.settled();
  start();
  recorder.emit({ type: 'quota-reached', severity: 'warning', organization_id: 'org-a', message: 'quota' });
  await waitFor(() => up.got.length === 2 && down.got.length === 2, {
    timeoutMs: 5_000,
    message: 'second event',
  });
  await new Promise((r) => setTimeout(r, 300));
  expect([up.got.length, down.got.length]).toEqual([2, 2]);
  expect(JSON.parse(up.got[1]!.body).type).toBe('quota-reached');
});

test('a receiver that keeps failing gets a dead letter after the last attempt', async () => {
  const zk = await fixture.session();
  const port = await freePort();
  const broken = await receiver(port, () => 500);
  closers.push(() => new Promise((r) => broken.server.close(r)));
  await configure(zk, [{ id: 'broken', url: `http://127.0.0.1:${port}/`, secret: SECRET }]);
  const notifier = new WebhookNotifier({
    zk,
    logger: createTestLogger(),
    clock: { now: () => Date.now() },
    tickMs: 50,
    policy: { maxAttempts: 3, backoff: { baseMs: 50, maxMs: 100 } },
  });
  notifier.start();
  closers.push(() => notifier.close());
  const recorder = new EventRecorder(zk);
  recorder.emit({ type: 'plan-failed', severity: 'warning', message: 'failed' });
  await recorder.flush();
  const letters = await waitFor(
    async () => {
      const names = await zk.children(paths.webhookDeadLetters()).catch(() => []);
      return names.length > 0 ? names : undefined;
    },
    { timeoutMs: 5_000, message: 'a dead letter' },
  );
  const letter = JSON.parse((await zk.get(`${paths.webhookDeadLetters()}/${letters[0]}`)).data.toString());
  expect(letter).toMatchObject({ target_id: 'broken', attempts: 3, last_error: 'HTTP 500' });
  expect(broken.got).toHaveLength(3);
  const cursor = JSON.parse((await zk.get(paths.webhookDelivery('broken'))).data.toString());
  expect(cursor).toMatchObject({ through_seq: letter.seq, failures: 0 });
});
