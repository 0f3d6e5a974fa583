import fc from 'fast-check';
import { instance, routeEntry } from '../test/fixtures';
import {
  RouteMemo,
  applyRouteChanges,
  buildRouteTable,
  type RouteDocument,
  type RouteTableBuild,
} from './route-table';

const NAMES = ['dep1', 'dep2', 'dep3', 'dep4', 'dep5', 'Bad_Name'];

/** A document for `name` in one of a few shapes, valid and not. */
function document(name: string, variant: number): RouteDocument {
  const healthy = variant % 3 !== 0;
  const instances = [
    instance(`${name.toLowerCase().replace('_', '')}-main-0`, {
      healthy,
      zone: variant % 2 ? 'zone-a' : 'zone-b',
    }),
    instance(`x${variant}`, { port: 20000 + variant }),
  ].slice(0, 1 + (variant % 2));
  if (variant === 7) return { name, data: '{not json' };
  if (variant === 8) return { name, data: JSON.stringify(routeEntry('other', instances)) };
  if (variant === 9) return { name, data: undefined };
  return { name, data: Buffer.from(JSON.stringify(routeEntry(name, instances))) };
}

/** What a reader can observe of a build. */
function view(build: RouteTableBuild) {
  return {
    routes: new Map([...build.table.routes].sort(([a], [b]) => a.localeCompare(b))),
    instanceCount: build.table.instanceCount,
    unavailable: build.unavailable,
  };
}

describe('applyRouteChanges', () => {
  test('shares unchanged routes, leaves the previous table alone and reports skipped changes', () => {
    const first = buildRouteTable([document('dep1', 1), document('dep2', 1)]);
    const next = applyRouteChanges(
      first,
      new Map([
        ['dep2', undefined],
        ['dep3', document('dep3', 7)],
        ['dep4', document('dep4', 6)],
      ]),
    );
    expect(next.table.routes.get('dep1')).toBe(first.table.routes.get('dep1'));
    expect([...next.table.routes.keys()].sort()).toEqual(['dep1', 'dep4']);
    expect([...first.table.routes.keys()]).toEqual(['dep1', 'dep2']);
    expect(next.skipped.map((s) => s.name)).toEqual(['dep3']);
    expect(next.unavailable).toBe(1); // dep4's only instance is unhealthy
    expect(next.table.instanceCount).toBe(2); // dep1's two
  });

  test('no change gives back the same routes object', () => {
    const first = buildRouteTable([document('dep1', 1)]);
    expect(applyRouteChanges(first, new Map([['dep2', undefined]])).table.routes).toBe(first.table.routes);
  });

  test('property: after every batch the table equals a from-scratch build', () => {
    const change = fc.tuple(fc.constantFrom(...NAMES), fc.option(fc.nat(10), { nil: undefined }));
    const batches = fc.array(fc.array(change, { minLength: 1, maxLength: 8 }), { maxLength: 40 });
    fc.assert(
      fc.property(batches, fc.constantFrom(undefined, 'zone-a'), fc.boolean(), (list, zone, withMemo) => {
        const docs = new Map<string, RouteDocument>();
        const memo = withMemo ? new RouteMemo() : undefined;
        let current = buildRouteTable([], { zone, memo });
        for (const batch of list) {
          const changes = new Map<string, RouteDocument | undefined>();
          for (const [name, variant] of batch) {
            const doc = variant === undefined || variant === 10 ? undefined : document(name, variant);
            if (doc === undefined) docs.delete(name);
            else docs.set(name, doc);
            changes.set(name, doc);
          }
          current = applyRouteChanges(current, changes, { zone, memo });
          const scratch = buildRouteTable(docs.values(), { zone });
          expect(view(current)).toEqual(view(scratch));
          for (const { name } of scratch.skipped) {
            expect(current.table.routes.has(name)).toBe(false);
          }
        }
        // A full build through the memo after incremental updates is still right.
        expect(view(buildRouteTable(docs.values(), { zone, memo }))).toEqual(
          view(buildRouteTable(docs.values(), { zone })),
        );
      }),
      { numRuns: 150 },
    );
  });
});
