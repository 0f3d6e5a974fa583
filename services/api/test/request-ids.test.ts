/**
 * Request-id markers expire, against a real ZooKeeper: after the TTL a repeated create makes a
 * new deployment, and the sweepers of several apis delete expired markers (corrupt ones too)
 * while leaving fresh ones and the deployments alone. Time is moved with an offset clock.
 */
import { createHash } from 'node:crypto';
import { paths } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { startHarness } from './helpers/harness';
import { etcdRequest } from './helpers/plans';

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
const hashOf = (requestId: string) => createHash('sha256').update(requestId).digest('hex');
const markerPath = (requestId: string) => `${paths.requestIds()}/${hashOf(requestId)}`;
const requestId = (label: string) => `${label}-${'0123456789abcdef'.repeat(2)}`;

/** A clock the test can move forward. */
function offsetClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}

describe('request-id expiry', () => {
  const server = useZooKeeper();

  it('after the TTL, a repeated request creates a new deployment (and may change its body)', async () => {
    const clock = offsetClock();
    const h = await startHarness(server.connectString, '/api-rid-expiry', undefined, { clock });
    try {
      const path = `/api/v1/deployments?request_id=${requestId('expiry')}`;
      const first = await h.call('POST', path, etcdRequest('once'));
      expect(first.status).toBe(201);
      // Margins of a minute, not a second: the real clock keeps running under a loaded CI box.
      clock.advance(DAY_MS - 60_000);
      const replay = await h.call('POST', path, etcdRequest('once'));
      expect(replay.status).toBe(200);
      expect(replay.body.id).toBe(first.body.id);

      clock.advance(120_000);
      const second = await h.call('POST', path, etcdRequest('once'));
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.body.id);
      const marker = JSON.parse((await h.zk.get(markerPath(requestId('expiry')))).data.toString('utf8'));
      expect(marker.deployment_id).toBe(second.body.id);
      expect((await h.call('POST', path, etcdRequest('once'))).body.id).toBe(second.body.id);
      expect((await h.call('POST', path, etcdRequest('other'))).status).toBe(409);

      clock.advance(DAY_MS);
      const racing = await Promise.all(
        Array.from({ length: 4 }, () => h.call('POST', path, etcdRequest('once'))),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
      expect(racing[0]!.body.id).not.toBe(second.body.id);
    } finally {
      await h.close();
    }
  });

  it('sweepers of two apis delete expired and corrupt markers, keep fresh ones and the deployments', async () => {
    const clock = offsetClock();
    const sweep = { intervalMs: 100, batchSize: 4 };
    const a = await startHarness(server.connectString, '/api-rid-sweep', undefined, {
      clock,
      requestIdSweep: sweep,
    });
    const b = await startHarness(server.connectString, '/api-rid-sweep', a.key, {
      clock,
      requestIdSweep: sweep,
    });
    try {
      const old = Array.from({ length: 12 }, (_, i) => requestId(`old-${i}`));
      const created = [];
      for (const rid of old) {
        const res = await a.call('POST', `/api/v1/deployments?request_id=${rid}`, etcdRequest('swept'));
        expect(res.status).toBe(201);
        created.push(res.body.id as string);
      }
      await a.zk.create(markerPath(requestId('corrupt')), 'not a marker');
      // Let the sweepers run over fresh markers first: they must leave them alone.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await a.zk.children(paths.requestIds())).toHaveLength(13);

      clock.advance(DAY_MS + 60_000);
      const fresh = requestId('fresh');
      expect(
        (await b.call('POST', `/api/v1/deployments?request_id=${fresh}`, etcdRequest('fresh'))).status,
      ).toBe(201);
      await waitFor(async () => (await a.zk.children(paths.requestIds())).length === 1, {
        timeoutMs: 20_000,
      });
      expect(await a.zk.children(paths.requestIds())).toEqual([hashOf(fresh)]);
      for (const id of created) expect(await a.zk.exists(paths.deployment(id))).not.toBeNull();

      const swept = await Promise.all(
        [a, b].map(async (h) => {
          const text = (await h.call('GET', '/metrics')).text;
          return Number(/^wharf_api_request_ids_swept_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
        }),
      );
      expect(swept[0]! + swept[1]!).toBe(13);
      const failures = [...a.logger.entries, ...b.logger.entries].filter(
        (e) => e.message === 'request-id sweep failed',
      );
      expect(failures).toEqual([]);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
