import { createMetrics, createTestLogger } from '@wharf/observability';
import { ManualClock, instance, routeEntry } from '../test/fixtures';
import { createProxyMetrics } from './metrics';
import type { RouteSource, RouteSourceListener } from './route-source';
import { RouteTableCache } from './route-table-cache';
import { buildRouteTable, type RouteDocument } from './route-table';

/** A source that can hand over one document by name, and counts full reads. */
class NamedSource implements RouteSource {
  readonly docs = new Map<string, RouteDocument>();
  initialized = false;
  listener: RouteSourceListener | undefined;
  fullReads = 0;
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  documents(): Iterable<RouteDocument> | undefined {
    if (!this.initialized) return undefined;
    return {
      [Symbol.iterator]: () => {
        this.fullReads += 1;
        return this.docs.values();
      },
    };
  }
  document(name: string): RouteDocument | undefined {
    return this.docs.get(name);
  }
  subscribe(listener: RouteSourceListener) {
    this.listener = listener;
    return () => undefined;
  }
  put(name: string, data: string | undefined): void {
    if (data === undefined) this.docs.delete(name);
    else this.docs.set(name, { name, data });
    this.listener?.({ type: 'changed', name });
  }
}

const doc = (dep: string, ...instances: string[]) =>
  JSON.stringify(
    routeEntry(
      dep,
      instances.map((i) => instance(i)),
    ),
  );

async function setup() {
  const source = new NamedSource();
  const clock = new ManualClock();
  const logger = createTestLogger();
  const metrics = createProxyMetrics(createMetrics('proxy'));
  const swaps: unknown[] = [];
  const cache = new RouteTableCache({
    source,
    logger,
    metrics,
    clock,
    coalesceMs: 10,
    refreshIntervalMs: 60_000,
    onSwap: (table) => swaps.push(table),
  });
  await cache.start();
  for (let i = 0; i < 100; i++)
    source.docs.set(`dep${i}`, { name: `dep${i}`, data: doc(`dep${i}`, `dep${i}-a`) });
  source.initialized = true;
  source.listener!({ type: 'initialized' });
  clock.advance(10);
  const gauge = async (name: keyof typeof metrics) =>
    (await (metrics[name] as { get(): Promise<{ values: { value: number }[] }> }).get()).values[0]?.value ??
    0;
  return { source, clock, logger, metrics, cache, swaps, gauge };
}

/** The table a from-scratch build of the source's documents gives. */
const scratch = (source: NamedSource) => buildRouteTable([...source.docs.values()]).table;

describe('RouteTableCache incremental updates', () => {
  it('applies a burst of named changes without reading every document, as a full build would', async () => {
    const { source, clock, cache, swaps, gauge } = await setup();
    expect(source.fullReads).toBe(1); // the first load
    const first = cache.current()!;
    source.put('dep1', undefined);
    source.put('dep2', doc('dep2', 'dep2-b', 'dep2-c'));
    source.put('new1', doc('new1', 'new1-a'));
    source.put('dep3', JSON.stringify({ ...routeEntry('dep3', [instance('x', { healthy: false })]) }));
    clock.advance(10);
    expect(source.fullReads).toBe(1);
    expect(swaps).toHaveLength(2); // one swap for the whole burst
    const table = cache.current()!;
    expect(new Map(table.routes)).toEqual(new Map(scratch(source).routes));
    expect(table.instanceCount).toBe(scratch(source).instanceCount);
    expect(await gauge('routeTableUnavailable')).toBe(1);
    expect(await gauge('routeTableDeployments')).toBe(100);
    // The table handed out before is exactly what it was (a held request reads it consistently).
    expect(first.routes.size).toBe(100);
    expect(first.routes.has('dep1')).toBe(true);
    expect(first.routes.has('new1')).toBe(false);
    expect(table.routes.get('dep50')).toBe(first.routes.get('dep50'));
  });

  it('logs a document that turned bad once, drops its route, and forgets it when fixed', async () => {
    const { source, clock, cache, logger, gauge } = await setup();
    source.put('dep5', '{');
    clock.advance(10);
    source.put('dep5', '{');
    clock.advance(10);
    expect(cache.current()!.routes.has('dep5')).toBe(false);
    expect(logger.entries.filter((e) => e.message === 'route document skipped')).toHaveLength(1);
    expect(await gauge('routeDocumentsSkipped')).toBe(1);
    source.put('dep5', doc('dep5', 'dep5-z'));
    clock.advance(10);
    expect(cache.current()!.routes.has('dep5')).toBe(true);
    expect(await gauge('routeDocumentsSkipped')).toBe(0);
    expect(source.fullReads).toBe(1);
  });

  it('does not swap when nothing routable changed', async () => {
    const { source, clock, swaps } = await setup();
    source.put('ghost', undefined);
    clock.advance(10);
    expect(swaps).toHaveLength(1);
  });

  it('reads every document after a resync or a change without a name', async () => {
    const { source, clock, cache } = await setup();
    source.docs.delete('dep7'); // a change the source did not name
    source.listener!({ type: 'resynced' });
    clock.advance(10);
    expect(source.fullReads).toBe(2);
    expect(cache.current()!.routes.has('dep7')).toBe(false);
    source.docs.delete('dep8');
    source.listener!({ type: 'changed', name: '' });
    clock.advance(10);
    expect(source.fullReads).toBe(3);
    expect(cache.current()!.routes.has('dep8')).toBe(false);
  });
});
