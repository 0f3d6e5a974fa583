/**
 * The single writer of `/routes/<deployment>` against a real ZooKeeper: compare-and-set on the
 * version the route was computed from, recomputed from the route as it is after a concurrent
 * write, `WHARF_CONFLICT` after ROUTE_WRITE_ATTEMPTS lost races.
 */
import { SCHEMA_VERSION, isWharfError, paths, serializeDocument, type RouteEntry } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { ROUTE_WRITE_ATTEMPTS, deleteRoute, parseRoute, updateRoute } from '../src/apply/route-writer';

jest.setTimeout(30_000);

const D = 'd1';
const fixture = useZooKeeper();

function route(ids: string[], healthy = true): RouteEntry {
  return {
    schema_version: SCHEMA_VERSION,
    deployment_id: D,
    updated: '2024-01-01T00:00:00.000Z',
    instances: ids.map((id, i) => ({
      instance_id: id,
      allocator_id: 'a1',
      ref_id: 'main',
      zone: 'zone-a',
      host: '127.0.0.1',
      port: 21000 + i,
      healthy,
    })),
  };
}

const stored = async (zk: ZkSession): Promise<RouteEntry> => parseRoute((await zk.get(paths.route(D))).data)!;
const idsOf = (r: RouteEntry | undefined) => r?.instances.map((i) => i.instance_id);

describe('route writer', () => {
  let zk: ZkSession;

  beforeEach(async () => {
    zk = await fixture.session();
    await zk.mkdirp(paths.routes());
  });

  it('creates an absent route, and writes nothing when the update leaves it as it is', async () => {
    expect(await updateRoute(zk, D, () => undefined)).toBeUndefined();
    expect(await zk.exists(paths.route(D))).toBeNull();
    await updateRoute(zk, D, (previous) => (previous ? undefined : route([`${D}-main-0`])));
    const version = (await zk.exists(paths.route(D)))!.version;
    await updateRoute(zk, D, (previous) => (previous ? undefined : route(['never'])));
    expect((await zk.exists(paths.route(D)))!.version).toBe(version);
    expect(idsOf(await stored(zk))).toEqual([`${D}-main-0`]);
  });

  // Concurrent writes go through the same session just before the writer's own: ZooKeeper applies
  // one session's requests in order, so the writer's compare-and-set deterministically loses.
  it('recomputes from the route as written by a concurrent writer instead of overwriting it', async () => {
    await zk.create(paths.route(D), serializeDocument('route', route([`${D}-main-0`])));
    const seen: (string[] | undefined)[] = [];
    const concurrent: Promise<unknown>[] = [];
    const written = await updateRoute(zk, D, (previous) => {
      seen.push(idsOf(previous));
      if (seen.length === 1)
        concurrent.push(zk.set(paths.route(D), serializeDocument('route', route([`${D}-main-1`])), -1));
      return previous && route(idsOf(previous)!, false);
    });
    await Promise.all(concurrent);
    expect(seen).toEqual([[`${D}-main-0`], [`${D}-main-1`]]);
    const now = await stored(zk);
    expect(idsOf(now)).toEqual([`${D}-main-1`]);
    expect(now).toEqual(written);
    expect(now.instances[0]!.healthy).toBe(false);
  });

  it('tries a known (cached) version first and re-reads once it turns out stale', async () => {
    await zk.create(paths.route(D), serializeDocument('route', route([`${D}-main-0`])));
    await zk.set(paths.route(D), serializeDocument('route', route([`${D}-main-0`, `${D}-main-1`])), -1);
    const seen: (string[] | undefined)[] = [];
    await updateRoute(
      zk,
      D,
      (previous) => {
        seen.push(idsOf(previous));
        return (
          previous && { ...previous, instances: previous.instances.map((i) => ({ ...i, healthy: false })) }
        );
      },
      { route: route([`${D}-main-0`]), version: 0 },
    );
    expect(seen).toEqual([[`${D}-main-0`], [`${D}-main-0`, `${D}-main-1`]]);
    const now = await stored(zk);
    expect(idsOf(now)).toEqual([`${D}-main-0`, `${D}-main-1`]);
    expect(now.instances.every((i) => !i.healthy)).toBe(true);
  });

  it(`gives up with WHARF_CONFLICT after ${ROUTE_WRITE_ATTEMPTS} lost races, and deletes`, async () => {
    await zk.create(paths.route(D), serializeDocument('route', route([`${D}-main-0`])));
    let calls = 0;
    const concurrent: Promise<unknown>[] = [];
    const failure = await updateRoute(zk, D, (previous) => {
      calls++;
      concurrent.push(zk.set(paths.route(D), serializeDocument('route', route([`race-${calls}`])), -1));
      return previous && route([`${D}-mine`]);
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await Promise.all(concurrent);
    expect(isWharfError(failure, 'WHARF_CONFLICT')).toBe(true);
    expect(calls).toBe(ROUTE_WRITE_ATTEMPTS);
    expect(idsOf(await stored(zk))).toEqual([`race-${ROUTE_WRITE_ATTEMPTS}`]);
    expect(await deleteRoute(zk, D)).toBe(true);
    expect(await deleteRoute(zk, D)).toBe(false);
  });
});
