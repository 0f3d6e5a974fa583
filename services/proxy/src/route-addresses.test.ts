import { RoutedAddresses } from './route-addresses';
import type { Route, RouteTable, RouteTarget } from './route-table';
import { UpstreamAgents } from './upstream-agent';
import { H2Upstreams } from './h2-upstreams';
import type { Clock } from './clock';

function target(instanceId: string, port: number): RouteTarget {
  return { instanceId, allocatorId: 'a1', refId: 'main', zone: 'z1', host: '127.0.0.1', port };
}

function route(id: string, ...targets: RouteTarget[]): Route {
  return { deploymentId: id, tiers: targets.length === 0 ? [] : [targets], healthyCount: targets.length };
}

function table(...routes: Route[]): RouteTable {
  return { routes: new Map(routes.map((r) => [r.deploymentId, r])), instanceCount: 0 };
}

/** A table whose routes may be looked up by id but not walked: proves a consumer is O(changed). */
function unwalkable(source: RouteTable): RouteTable {
  const routes = source.routes;
  const refuse = (): never => {
    throw new Error('walked the whole table');
  };
  const guarded: ReadonlyMap<string, Route> = {
    get: (id: string) => routes.get(id),
    has: (id: string) => routes.has(id),
    get size() {
      return routes.size;
    },
    forEach: refuse,
    keys: refuse,
    values: refuse,
    entries: refuse,
    [Symbol.iterator]: refuse,
  };
  return { routes: guarded, instanceCount: source.instanceCount };
}

const clock = { setTimeout: () => ({ cancel: () => undefined }), now: () => 0 } as unknown as Clock;

describe('RoutedAddresses', () => {
  test('a full count, then changed ids only: addresses left by every route are reported once', () => {
    const routed = new RoutedAddresses();
    const t1 = table(route('a', target('a-0', 1001), target('a-1', 1002)), route('b', target('b-0', 2001)));
    expect(routed.apply(t1)).toEqual([]);
    // `a` moves one instance to a new port; `b` is deleted; `c` shares nothing.
    const t2 = table(route('a', target('a-0', 1001), target('a-1', 1003)), route('c', target('c-0', 3001)));
    const gone = routed.apply(unwalkable(t2), {
      previous: unwalkable(t1),
      changed: new Set(['a', 'b', 'c']),
    });
    expect(gone.sort()).toEqual(['127.0.0.1:1002', '127.0.0.1:2001']);
    expect(routed.has('127.0.0.1:1003')).toBe(true);
    expect(routed.has('127.0.0.1:3001')).toBe(true);
    // A full recount agrees with the incremental state.
    const again = new RoutedAddresses();
    again.apply(t2);
    for (const a of [
      '127.0.0.1:1001',
      '127.0.0.1:1002',
      '127.0.0.1:1003',
      '127.0.0.1:2001',
      '127.0.0.1:3001',
    ]) {
      expect(routed.has(a)).toBe(again.has(a));
    }
  });

  test('an address still used by another route is not reported', () => {
    const routed = new RoutedAddresses();
    const shared = target('x', 4001);
    const t1 = table(route('a', shared), route('b', { ...shared, instanceId: 'y' }));
    routed.apply(t1);
    const t2 = table(route('b', { ...shared, instanceId: 'y' }));
    expect(routed.apply(t2, { previous: t1, changed: new Set(['a']) })).toEqual([]);
    expect(routed.has('127.0.0.1:4001')).toBe(true);
  });
});

describe('pools follow the changed ids', () => {
  test('UpstreamAgents retires the agent of a removed instance without walking the table', () => {
    const agents = new UpstreamAgents(clock);
    const t1 = table(route('a', target('a-0', 1001)), route('b', target('b-0', 2001)));
    agents.retain(t1);
    const kept = agents.agentFor(target('a-0', 1001));
    const dropped = agents.agentFor(target('b-0', 2001));
    const t2 = table(route('a', target('a-0', 1001)));
    agents.retain(unwalkable(t2), { previous: unwalkable(t1), changed: new Set(['b']) });
    expect(agents.agentFor(target('a-0', 1001))).toBe(kept);
    expect(dropped.maxFreeSockets).toBe(0); // retired
    expect(agents.agentFor(target('b-0', 2001))).not.toBe(dropped);
    agents.close();
  });

  test('H2Upstreams closes the session of a removed instance without walking the table', () => {
    const h2 = new H2Upstreams(clock);
    const t1 = table(route('a', target('a-0', 1001)), route('b', target('b-0', 2001)));
    h2.retain(t1);
    const closed: string[] = [];
    const fake = (name: string): unknown => ({
      closed: false,
      destroyed: false,
      close: () => closed.push(name),
    });
    const sessions = (h2 as unknown as { sessions: Map<string, unknown> }).sessions;
    sessions.set('127.0.0.1:1001', fake('a'));
    sessions.set('127.0.0.1:2001', fake('b'));
    h2.retain(unwalkable(table(route('a', target('a-0', 1001)))), {
      previous: unwalkable(t1),
      changed: new Set(['b']),
    });
    expect(closed).toEqual(['b']);
    expect([...sessions.keys()]).toEqual(['127.0.0.1:1001']);
  });
});
