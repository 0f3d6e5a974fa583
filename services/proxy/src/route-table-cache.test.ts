import { createMetrics, createTestLogger } from '@wharf/observability';
import { ManualClock, instance, routeEntry } from '../test/fixtures';
import { createProxyMetrics } from './metrics';
import { StaticRouteSource, type RouteSource, type RouteSourceListener } from './route-source';
import { RouteTableCache } from './route-table-cache';
import type { RouteDocument } from './route-table';

async function setup(source: RouteSource = new StaticRouteSource()) {
  const clock = new ManualClock();
  const logger = createTestLogger();
  const metrics = createProxyMetrics(createMetrics('proxy'));
  const cache = new RouteTableCache({
    source,
    logger,
    metrics,
    clock,
    coalesceMs: 10,
    refreshIntervalMs: 60_000,
  });
  await cache.start();
  const rebuilds = async () => (await metrics.routeTableRebuilds.get()).values[0]?.value ?? 0;
  return { clock, logger, metrics, cache, rebuilds };
}

/** A source driven by hand, with a refresh that can fail. */
class FakeSource implements RouteSource {
  docs: RouteDocument[] | undefined;
  listener: RouteSourceListener | undefined;
  refreshes = 0;
  refreshError: Error | undefined;
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  documents() {
    return this.docs;
  }
  subscribe(listener: RouteSourceListener) {
    this.listener = listener;
    return () => undefined;
  }
  async refresh(): Promise<void> {
    this.refreshes += 1;
    if (this.refreshError) throw this.refreshError;
  }
}

const entry = (dep: string, ...instances: string[]) =>
  routeEntry(
    dep,
    instances.map((i) => instance(i)),
  );

describe('RouteTableCache', () => {
  it('has no table until the source has been read, then one after the coalescing window', async () => {
    const source = new StaticRouteSource();
    const { cache, clock } = await setup(source);
    expect(cache.initialized).toBe(false);
    source.set([entry('dep1', 'dep1-main-0')]);
    expect(cache.current()).toBeUndefined();
    clock.advance(10);
    expect(cache.initialized).toBe(true);
    expect([...cache.current()!.routes.keys()]).toEqual(['dep1']);
  });

  it('coalesces a burst of events into one rebuild and one swap', async () => {
    const source = new StaticRouteSource([entry('dep1', 'a')]);
    const { cache, clock, rebuilds } = await setup(source);
    clock.advance(10);
    const before = cache.current();
    expect(await rebuilds()).toBe(1);
    for (let i = 0; i < 500; i += 1) source.set([entry('dep1', 'a'), entry(`dep${i + 2}`, 'b')]);
    expect(cache.current()).toBe(before);
    clock.advance(10);
    expect(await rebuilds()).toBe(2);
    expect(cache.current()).not.toBe(before);
    expect(cache.current()!.routes.has('dep501')).toBe(true);
    // The old table was replaced, never mutated.
    expect([...before!.routes.keys()]).toEqual(['dep1']);
  });

  it('applies an event after a quiet spell at once, and holds later ones until the window ends', async () => {
    const source = new StaticRouteSource([entry('dep1', 'a')]);
    const { cache, clock, rebuilds } = await setup(source);
    const serving = () => cache.current()!.routes.get('dep1')!.tiers[0]![0]!.instanceId;
    clock.advance(0);
    expect(await rebuilds()).toBe(1);
    clock.advance(50); // quiet
    source.set([entry('dep1', 'b')]);
    clock.advance(0); // the next turn, not 10 ms later
    expect(serving()).toBe('b');
    clock.advance(4);
    source.set([entry('dep1', 'c')]);
    source.set([entry('dep1', 'd')]);
    clock.advance(5); // 9 ms after the last rebuild: still in its window
    expect(serving()).toBe('b');
    clock.advance(1);
    expect(serving()).toBe('d');
    expect(await rebuilds()).toBe(3);
  });

  it('records the time from the first event to the swap', async () => {
    const source = new StaticRouteSource([entry('dep1', 'a')]);
    const { clock, metrics } = await setup(source);
    clock.advance(10);
    source.set([entry('dep1', 'b')]); // quiet since the first load: applied on the next turn
    clock.advance(4);
    source.set([entry('dep1', 'c')]); // 4 ms after that rebuild: waits out the other 6
    clock.advance(6);
    const hist = await metrics.routeTableUpdateSeconds.get();
    const sum = hist.values.find((v) => v.metricName === 'wharf_proxy_route_table_update_seconds_sum')!.value;
    expect(sum).toBeCloseTo(0.006, 5); // two swaps: 0 and 6 ms, measured from the first event
  });

  it('logs a bad document once, not on every rebuild, and keeps serving the good ones', async () => {
    const source = new FakeSource();
    const { cache, clock, logger } = await setup(source);
    source.docs = [
      { name: 'good', data: JSON.stringify(entry('good', 'g')) },
      { name: 'bad', data: '{' },
    ];
    source.listener!({ type: 'initialized' });
    clock.advance(10);
    source.listener!({ type: 'changed', name: 'good' });
    clock.advance(10);
    expect([...cache.current()!.routes.keys()]).toEqual(['good']);
    const warnings = logger.entries.filter((e) => e.message === 'route document skipped');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.meta).toMatchObject({ route: 'bad' });
  });

  it('refreshes on the safety-net interval and keeps the table when the refresh fails', async () => {
    const source = new FakeSource();
    source.docs = [{ name: 'dep1', data: JSON.stringify(entry('dep1', 'a')) }];
    const { cache, clock, rebuilds, logger } = await setup(source);
    clock.advance(10);
    const table = cache.current();
    source.refreshError = new Error('zookeeper unreachable');
    clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    expect(source.refreshes).toBe(1);
    expect(cache.current()).toBe(table);
    expect(logger.entries.some((e) => e.message === 'route refresh failed')).toBe(true);
    source.refreshError = undefined;
    clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    clock.advance(10);
    expect(source.refreshes).toBe(2);
    expect(await rebuilds()).toBe(2);
  });

  it('keeps the last table after close and ignores later events', async () => {
    const source = new StaticRouteSource([entry('dep1', 'a')]);
    const { cache, clock } = await setup(source);
    clock.advance(10);
    const table = cache.current();
    await cache.close();
    await cache.close();
    source.set([]);
    clock.advance(10);
    expect(cache.state).toBe('closed');
    expect(cache.current()).toBe(table);
  });
});
