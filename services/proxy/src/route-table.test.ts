import { instance, routeEntry } from '../test/fixtures';
import { RouteMemo, buildRouteTable, type RouteDocument } from './route-table';

const doc = (name: string, value: unknown): RouteDocument => ({
  name,
  data: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

const ids = (targets: readonly { instanceId: string }[] | undefined): string[] =>
  (targets ?? []).map((t) => t.instanceId);

describe('buildRouteTable', () => {
  it('keeps only healthy instances', () => {
    const entry = routeEntry('dep1', [
      instance('dep1-main-0'),
      instance('dep1-main-1', { healthy: false }),
      instance('dep1-main-2'),
    ]);
    const { table, skipped } = buildRouteTable([doc('dep1', entry)]);
    expect(skipped).toEqual([]);
    const route = table.routes.get('dep1')!;
    expect(route.tiers).toHaveLength(1);
    expect(ids(route.tiers[0])).toEqual(['dep1-main-0', 'dep1-main-2']);
    expect(route.healthyCount).toBe(2);
    expect(table.instanceCount).toBe(2);
  });

  it('keeps a deployment with no healthy instance, with no tiers (502, not 404)', () => {
    const entry = routeEntry('dep1', [instance('dep1-main-0', { healthy: false })]);
    const route = buildRouteTable([doc('dep1', entry)]).table.routes.get('dep1')!;
    expect(route.tiers).toEqual([]);
    expect(route.healthyCount).toBe(0);
  });

  it('marks a shut-down deployment (route with shutdown and no instances) as such', () => {
    const entry = { ...routeEntry('dep1', []), shutdown: true };
    const route = buildRouteTable([doc('dep1', entry)]).table.routes.get('dep1')!;
    expect(route).toMatchObject({ shutdown: true, healthyCount: 0 });
    expect(buildRouteTable([doc('dep1', routeEntry('dep1', []))]).table.routes.get('dep1')!.shutdown).toBe(
      undefined,
    );
  });

  it('marks a deployment being restored in place (route with restoring) as such', () => {
    const entry = { ...routeEntry('dep1', []), restoring: true };
    expect(buildRouteTable([doc('dep1', entry)]).table.routes.get('dep1')).toMatchObject({ restoring: true });
  });

  it('puts same-zone instances in the first tier when the proxy has a zone', () => {
    const entry = routeEntry('dep1', [
      instance('dep1-main-0', { zone: 'zone-a' }),
      instance('dep1-main-1', { zone: 'zone-b' }),
      instance('dep1-main-2', { zone: 'zone-b' }),
    ]);
    const route = buildRouteTable([doc('dep1', entry)], { zone: 'zone-b' }).table.routes.get('dep1')!;
    expect(route.tiers.map(ids)).toEqual([['dep1-main-1', 'dep1-main-2'], ['dep1-main-0']]);
  });

  it('falls back to one tier when no instance is in the proxy zone, or the proxy has none', () => {
    const entry = routeEntry('dep1', [instance('dep1-main-0', { zone: 'zone-a' })]);
    expect(
      buildRouteTable([doc('dep1', entry)], { zone: 'zone-c' })
        .table.routes.get('dep1')!
        .tiers.map(ids),
    ).toEqual([['dep1-main-0']]);
    expect(
      buildRouteTable([doc('dep1', entry)])
        .table.routes.get('dep1')!
        .tiers.map(ids),
    ).toEqual([['dep1-main-0']]);
  });

  it('skips bad documents and keeps the good ones', () => {
    const good = routeEntry('good', [instance('good-main-0')]);
    const { table, skipped } = buildRouteTable([
      doc('good', good),
      doc('notjson', '{nope'),
      doc('wrongshape', { schema_version: 1, deployment_id: 'wrongshape', instances: 'x' }),
      doc('mismatch', routeEntry('other', [])),
      doc('Bad_Name', routeEntry('bad', [])),
      { name: 'empty', data: undefined },
    ]);
    expect([...table.routes.keys()]).toEqual(['good']);
    expect(skipped.map((s) => s.name)).toEqual(['notjson', 'wrongshape', 'mismatch', 'Bad_Name', 'empty']);
    for (const s of skipped) expect(s.reason.length).toBeGreaterThan(0);
  });

  it('lists a duplicated instance once', () => {
    const entry = routeEntry('dep1', [instance('dep1-main-0'), instance('dep1-main-0', { port: 20001 })]);
    const route = buildRouteTable([doc('dep1', entry)]).table.routes.get('dep1')!;
    expect(ids(route.tiers[0])).toEqual(['dep1-main-0']);
    expect(route.tiers[0]![0]!.port).toBe(20000);
  });

  it('returns frozen data', () => {
    const route = buildRouteTable([
      doc('dep1', routeEntry('dep1', [instance('dep1-main-0')])),
    ]).table.routes.get('dep1')!;
    expect(Object.isFrozen(route)).toBe(true);
    expect(Object.isFrozen(route.tiers)).toBe(true);
    expect(Object.isFrozen(route.tiers[0])).toBe(true);
    expect(Object.isFrozen(route.tiers[0]![0])).toBe(true);
  });
});

describe('RouteMemo', () => {
  it('reuses the route of a document whose data did not change, decodes a changed one, forgets a gone one', () => {
    const memo = new RouteMemo();
    const a = doc('dep1', routeEntry('dep1', [instance('dep1-main-0')]));
    const b = doc('dep2', routeEntry('dep2', [instance('dep2-main-0')]));
    const bad = doc('dep3', 'not json');
    const first = buildRouteTable([a, b, bad], { memo }).table.routes;

    const b2 = doc('dep2', routeEntry('dep2', [instance('dep2-main-1')]));
    const second = buildRouteTable([a, b2, bad], { memo });
    expect(second.table.routes.get('dep1')).toBe(first.get('dep1')); // not decoded again
    expect(ids(second.table.routes.get('dep2')!.tiers[0])).toEqual(['dep2-main-1']);
    expect(second.skipped).toEqual([{ name: 'dep3', reason: expect.any(String) }]);

    buildRouteTable([b2], { memo }); // dep1 gone
    const back = buildRouteTable([a, b2], { memo }).table.routes.get('dep1');
    expect(back).not.toBe(first.get('dep1')); // decoded afresh, not resurrected from the memo
    expect(back).toEqual(first.get('dep1'));
  });

  it('reuses a document with equal bytes in a new buffer (a reload), decodes different bytes', () => {
    const memo = new RouteMemo();
    const entry = routeEntry('dep1', [instance('dep1-main-0')]);
    const bytes = (e: unknown) => ({ name: 'dep1', data: Buffer.from(JSON.stringify(e)) });
    const first = buildRouteTable([bytes(entry)], { memo }).table.routes.get('dep1');
    const second = buildRouteTable([bytes(entry)], { memo }).table.routes.get('dep1');
    expect(second).toBe(first);
    const moved = { ...entry, instances: [instance('dep1-main-0', { port: 20001 })] };
    const third = buildRouteTable([bytes(moved)], { memo }).table.routes.get('dep1');
    expect(third!.tiers[0]![0]!.port).toBe(20001);
  });
});
