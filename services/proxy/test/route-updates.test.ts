/**
 * Incremental route updates against a real ZooKeeper: the ZooKeeper route source and the table
 * cache, as a proxy wires them. After every swap the table must equal a from-scratch build of the
 * documents at that moment, and once writes settle, a from-scratch build of what ZooKeeper holds;
 * through bursts of adds, changes and deletes, and a session expiry with writes during it.
 */
import { isDeepStrictEqual } from 'node:util';
import { paths, serializeDocument } from '@wharf/model';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { expireSession, type ZkSession } from '@wharf/zk';
import {
  RouteTableCache,
  ZkRouteSource,
  buildRouteTable,
  createProxyMetrics,
  systemClock,
  type RouteDocument,
  type RouteTable,
} from '../src';
import { LayeredMap } from '../src/route-table-map';
import { instance, routeEntry } from './fixtures';

jest.setTimeout(60_000);

const zk = useZooKeeper();
const ROUTES = 200;

const data = (dep: string, port: number, healthy = true) =>
  serializeDocument('route', routeEntry(dep, [instance(`${dep}-main-0`, { port, healthy })]));

/** What a request can observe of a table. */
const view = (table: RouteTable | undefined) => ({
  routes: Object.fromEntries([...(table?.routes ?? [])].sort(([a], [b]) => a.localeCompare(b))),
  instanceCount: table?.instanceCount,
});

/** The table a from-scratch build of ZooKeeper's current `/routes` gives. */
async function fromZooKeeper(session: ZkSession): Promise<RouteTable> {
  const docs: RouteDocument[] = [];
  for (const name of await session.children(paths.routes())) {
    docs.push({ name, data: (await session.get(paths.route(name))).data });
  }
  return buildRouteTable(docs, { zone: 'zone-a' }).table;
}

test('the table follows bursts and a session expiry, equal to a from-scratch build after every swap', async () => {
  const writer = await zk.session();
  await writer.mkdirp(paths.routes());
  await Promise.all(
    Array.from({ length: ROUTES }, (_, i) => writer.create(paths.route(`r${i}`), data(`r${i}`, 20000))),
  );
  const session = await zk.session();
  const source = new ZkRouteSource({ zk: session, logger: createTestLogger() });
  const mismatches: string[] = [];
  let swaps = 0;
  let incremental = 0;
  const cache = new RouteTableCache({
    source,
    logger: createTestLogger(),
    metrics: createProxyMetrics(createMetrics('proxy')),
    clock: systemClock,
    zone: 'zone-a',
    onSwap: (table) => {
      swaps += 1;
      if (table.routes instanceof LayeredMap) incremental += 1;
      // The source's documents at this instant, built from scratch: what the table must show.
      const scratch = buildRouteTable(source.documents() ?? [], { zone: 'zone-a' }).table;
      if (!isDeepStrictEqual(view(table), view(scratch))) mismatches.push(`swap ${swaps}`);
    },
  });
  try {
    await cache.start();
    const settled = async (message: string) => {
      const expected = view(await fromZooKeeper(writer));
      await waitFor(() => isDeepStrictEqual(view(cache.current()), expected), { message }).catch(
        (err: unknown) => {
          expect(view(cache.current())).toEqual(expected);
          throw err;
        },
      );
    };
    await settled('loaded');
    expect(cache.current()!.routes.size).toBe(ROUTES);

    for (let round = 0; round < 3; round++) {
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) =>
          writer.create(paths.route(`n${round}-${i}`), data(`n${round}-${i}`, 20001)),
        ),
        ...Array.from({ length: 30 }, (_, i) =>
          writer.set(paths.route(`r${round * 30 + i}`), data(`r${round * 30 + i}`, 20002, i % 2 === 0), -1),
        ),
        ...Array.from({ length: 10 }, (_, i) => writer.delete(paths.route(`r${150 + round * 10 + i}`))),
        writer.set(paths.route(`r${190 + round}`), Buffer.from('{broken'), -1),
      ]);
      await settled(`burst ${round}`);
    }
    expect(incremental).toBeGreaterThan(0); // bursts went through the incremental path

    const table = cache.current();
    await expireSession(session);
    // Meanwhile the proxy serves from the table it has.
    expect(cache.current()).toBe(table);
    await writer.delete(paths.route('r100'));
    await writer.set(paths.route('r101'), data('r101', 20003), -1);
    await writer.create(paths.route('during-expiry'), data('during-expiry', 20004));
    await waitFor(() => session.state === 'connected' && session.sessionCount === 2, {
      message: 'new session',
    });
    await settled('resynced after the session expiry');
    expect(cache.current()!.routes.has('during-expiry')).toBe(true);
    expect(cache.current()!.routes.has('r100')).toBe(false);
    expect(mismatches).toEqual([]);
  } finally {
    await cache.close();
  }
});
