import { buildRoute, isRoutable, sameRoute, syncRouteHealth } from './route';
import { specDoc, statusDoc } from '../../test/fixtures';

const D = 'd1';
const NOW = '2024-01-02T00:00:00.000Z';

describe('buildRoute', () => {
  const a = specDoc(D, 0, 'a1', 'zone-a');
  const b = specDoc(D, 1, 'b1', 'zone-b');
  const c = specDoc(D, 10, 'c1', 'zone-c');

  it('lists instances with the route port, healthy only when running and healthy, sorted by id', () => {
    const route = buildRoute(
      D,
      [
        { spec: c, status: statusDoc(c, { ports: { client: 3, peer: 4 } }) },
        { spec: a, status: statusDoc(a, { ports: { client: 1, peer: 2 } }) },
        {
          spec: b,
          status: statusDoc(b, { state: 'restarting', healthy: false, ports: { client: 5, peer: 6 } }),
        },
      ],
      'client',
      NOW,
    );
    expect(route).toEqual({
      schema_version: 1,
      deployment_id: D,
      updated: NOW,
      instances: [
        {
          instance_id: a.instance_id,
          allocator_id: 'a1',
          ref_id: 'main',
          zone: 'zone-a',
          host: '127.0.0.1',
          port: 1,
          healthy: true,
        },
        {
          instance_id: b.instance_id,
          allocator_id: 'b1',
          ref_id: 'main',
          zone: 'zone-b',
          host: '127.0.0.1',
          port: 5,
          healthy: false,
        },
        {
          instance_id: c.instance_id,
          allocator_id: 'c1',
          ref_id: 'main',
          zone: 'zone-c',
          host: '127.0.0.1',
          port: 3,
          healthy: true,
        },
      ],
    });
  });

  it('leaves out instances without a status or without the route port', () => {
    const route = buildRoute(
      D,
      [{ spec: a }, { spec: b, status: statusDoc(b, { ports: { peer: 2 } }) }],
      (stack) => (stack === 'etcd' ? 'client' : 'http'),
      NOW,
    );
    expect(route.instances).toEqual([]);
  });

  it('lists a draining member unroutable with the same fields as any other (no new route field)', () => {
    const route = buildRoute(
      D,
      [
        { spec: a, status: statusDoc(a) },
        { spec: b, status: statusDoc(b), draining: true },
      ],
      'client',
      NOW,
    );
    expect(route.instances.map((i) => [i.instance_id, i.healthy])).toEqual([
      [a.instance_id, true],
      [b.instance_id, false],
    ]);
    expect(Object.keys(route.instances[1]!).sort()).toEqual(Object.keys(route.instances[0]!).sort());
  });

  it('treats a running but unhealthy instance as unroutable', () => {
    expect(isRoutable(statusDoc(a, { healthy: false }))).toBe(false);
    expect(isRoutable(statusDoc(a, { state: 'reserved', healthy: false }))).toBe(false);
    expect(isRoutable(undefined)).toBe(false);
    expect(isRoutable(statusDoc(a))).toBe(true);
  });
});

describe('syncRouteHealth', () => {
  const a = specDoc(D, 0, 'a1', 'zone-a');
  const b = specDoc(D, 1, 'b1', 'zone-b');
  const route = buildRoute(
    D,
    [
      { spec: a, status: statusDoc(a) },
      { spec: b, status: statusDoc(b) },
    ],
    'client',
    NOW,
  );

  it('returns undefined when flags already match', () => {
    const statuses = new Map([
      [a.instance_id, statusDoc(a)],
      [b.instance_id, statusDoc(b)],
    ]);
    expect(syncRouteHealth(route, statuses, () => 'client', NOW)).toBeUndefined();
  });

  it('marks a crashed instance and one whose status vanished unroutable, and back when healthy', () => {
    const down = syncRouteHealth(
      route,
      new Map([[a.instance_id, statusDoc(a, { state: 'restarting', healthy: false })]]),
      () => 'client',
      'T1',
    );
    expect(down?.instances.map((i) => i.healthy)).toEqual([false, false]);
    expect(down?.updated).toBe('T1');
    const up = syncRouteHealth(
      down!,
      new Map([
        [a.instance_id, statusDoc(a)],
        [b.instance_id, statusDoc(b)],
      ]),
      () => 'client',
      'T2',
    );
    expect(up?.instances.map((i) => i.healthy)).toEqual([true, true]);
  });

  it('follows a new port reported by the allocator', () => {
    const moved = syncRouteHealth(
      route,
      new Map([
        [a.instance_id, statusDoc(a, { ports: { client: 999 } })],
        [b.instance_id, statusDoc(b)],
      ]),
      () => 'client',
      NOW,
    );
    expect(moved?.instances[0]!.port).toBe(999);
  });

  it('never makes a draining instance routable, however healthy its status', () => {
    const statuses = new Map([
      [a.instance_id, statusDoc(a)],
      [b.instance_id, statusDoc(b)],
    ]);
    const drained = syncRouteHealth(
      route,
      statuses,
      () => 'client',
      'T1',
      undefined,
      new Set([a.instance_id]),
    );
    expect(drained?.instances.map((i) => i.healthy)).toEqual([false, true]);
    expect(
      syncRouteHealth(drained!, statuses, () => 'client', 'T2', undefined, new Set([a.instance_id])),
    ).toBeUndefined();
    // Without the marker (the attempt ended), health decides again.
    expect(syncRouteHealth(drained!, statuses, () => 'client', 'T3')?.instances[0]!.healthy).toBe(true);
  });

  it('sameRoute compares instances, not the timestamp', () => {
    expect(sameRoute(route, { ...route, updated: 'later' })).toBe(true);
    expect(sameRoute(undefined, route)).toBe(false);
    expect(sameRoute(route, { ...route, instances: route.instances.slice(1) })).toBe(false);
  });
});
