import { nullLogger } from '@wharf/observability';
import { type RequestMarker } from './domain/request-marker';
import { createApiMetrics } from './metrics';
import { RequestIdSweeper, type RequestIdSweepStore } from './request-id-sweeper';
import { type SweepResult, type SweptMarker } from './store/types';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const marker = (createdMs: number): RequestMarker => ({
  schema_version: 1,
  deployment_id: 'd1',
  body_sha256: 'x',
  created: new Date(createdMs).toISOString(),
  response: {},
});

/** Markers in memory; `sweep` deletes what the predicate says, like the ZooKeeper store. */
class FakeMarkers implements RequestIdSweepStore {
  readonly markers = new Map<string, SweptMarker>();
  readonly batches: string[][] = [];

  add(name: string, createdMs: number | undefined, ctimeMs = 0): void {
    this.markers.set(name, {
      name,
      marker: createdMs === undefined ? undefined : marker(createdMs),
      ctimeMs,
    });
  }
  async names(): Promise<string[]> {
    return [...this.markers.keys()].reverse();
  }
  async sweep(batch: readonly string[], expired: (m: SweptMarker) => boolean): Promise<SweepResult> {
    this.batches.push([...batch]);
    let deleted = 0;
    for (const name of batch) {
      const m = this.markers.get(name);
      if (m !== undefined && expired(m)) {
        this.markers.delete(name);
        deleted++;
      }
    }
    return { examined: batch.length, deleted, contended: false };
  }
}

describe('RequestIdSweeper', () => {
  let now: number;
  const clock = { now: () => now };
  const sweeper = (store: FakeMarkers, batchSize = 100) =>
    new RequestIdSweeper({
      store,
      clock,
      logger: nullLogger,
      metrics: createApiMetrics(),
      ttlMs: HOUR,
      batchSize,
      random: () => 0,
    });

  beforeEach(() => {
    now = T0;
  });

  it('deletes exactly the markers older than the TTL at the fake clock', async () => {
    const store = new FakeMarkers();
    store.add('old', T0 - HOUR);
    store.add('edge', T0 - HOUR + 1);
    store.add('new', T0);
    store.add('corrupt-old', undefined, T0 - 2 * HOUR);
    store.add('corrupt-new', undefined, T0);
    const s = sweeper(store);
    await expect(s.runOnce()).resolves.toMatchObject({ deleted: 2 });
    expect([...store.markers.keys()].sort()).toEqual(['corrupt-new', 'edge', 'new']);
    now += 1;
    await expect(s.runOnce()).resolves.toMatchObject({ deleted: 1 });
    expect([...store.markers.keys()].sort()).toEqual(['corrupt-new', 'new']);
    now = T0 + HOUR;
    await s.runOnce();
    expect(store.markers.size).toBe(0);
  });

  it('examines a bounded batch per round and covers every marker over successive rounds', async () => {
    const store = new FakeMarkers();
    for (let i = 0; i < 10; i++) store.add(`m${i}`, T0 - 2 * HOUR);
    const s = sweeper(store, 3);
    for (let round = 0; round < 4; round++) await s.runOnce();
    expect(store.batches.every((b) => b.length <= 3)).toBe(true);
    expect(store.markers.size).toBe(0);
  });

  it('close() is idempotent and stops a started sweeper', async () => {
    const s = sweeper(new FakeMarkers());
    s.start();
    expect(s.state).toBe('running');
    await s.close();
    await s.close();
    expect(s.state).toBe('closed');
  });
});
