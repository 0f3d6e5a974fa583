import { specDoc, statusDoc } from '../../test/fixtures';
import {
  isMassLoss,
  nextLossDeadline,
  presenceOf,
  trackLoss,
  type AllocatorPresence,
} from './allocator-loss';
import { buildRoute, routableWith, syncRouteHealth } from './route';

const GRACE = 15_000;
const D = 'd1';

describe('trackLoss', () => {
  it('starts the grace when an allocator is first seen without its live node and keeps that time', () => {
    const first = trackLoss(new Map(), ['a1', 'b1', 'c1'], new Set(['a1', 'c1']), 1_000);
    expect(first).toEqual(new Map([['b1', 1_000]]));
    const later = trackLoss(first, ['a1', 'b1', 'c1'], new Set(['a1']), 5_000);
    expect(later).toEqual(
      new Map([
        ['b1', 1_000],
        ['c1', 5_000],
      ]),
    );
  });

  it('forgets an allocator once it is live again or no longer known', () => {
    const lost = new Map([
      ['b1', 1_000],
      ['c1', 2_000],
    ]);
    expect(trackLoss(lost, ['b1', 'c1'], new Set(['b1']), 9_000)).toEqual(new Map([['c1', 2_000]]));
    expect(trackLoss(lost, ['b1'], new Set(), 9_000)).toEqual(new Map([['b1', 1_000]]));
  });

  it('restarts the grace after a comeback: a second loss is timed from when it is seen', () => {
    const back = trackLoss(new Map([['b1', 1_000]]), ['b1'], new Set(['b1']), 3_000);
    expect(trackLoss(back, ['b1'], new Set(), 4_000)).toEqual(new Map([['b1', 4_000]]));
  });
});

describe('presenceOf', () => {
  const live = new Set(['a1']);
  const lost = new Map([['b1', 10_000]]);

  it.each<[string, number, AllocatorPresence]>([
    ['a1', 10_000, 'live'],
    ['b1', 10_000, 'suspect'],
    ['b1', 10_000 + GRACE - 1, 'suspect'],
    ['b1', 10_000 + GRACE, 'lost'],
    ['b1', 10_000 + GRACE * 10, 'lost'],
    // Neither live nor tracked: its whole subtree is gone, nothing vouches for its instances.
    ['zz', 10_000, 'lost'],
  ])('%s at %d is %s', (id, now, expected) => {
    expect(presenceOf(id, live, lost, now, GRACE)).toBe(expected);
  });

  it('declares nobody lost during a mass loss, however long it lasts', () => {
    expect(presenceOf('b1', live, lost, 10_000 + GRACE * 10, GRACE, true)).toBe('suspect');
    expect(presenceOf('a1', live, lost, 10_000, GRACE, true)).toBe('live');
  });
});

describe('isMassLoss', () => {
  it.each<[number, number, boolean]>([
    [3, 0, false],
    [3, 1, false],
    [3, 2, true],
    [3, 3, true],
    [4, 2, false],
    [4, 3, true],
    [1, 1, true],
  ])('%d known, %d missing: %s', (known, missing, expected) => {
    expect(isMassLoss(known, missing)).toBe(expected);
  });
});

describe('nextLossDeadline', () => {
  it('is the earliest grace end still ahead', () => {
    const lost = new Map([
      ['a1', 1_000],
      ['b1', 5_000],
      ['c1', 3_000],
    ]);
    expect(nextLossDeadline(lost, 2_000, GRACE)).toBe(1_000 + GRACE);
    expect(nextLossDeadline(lost, 1_000 + GRACE, GRACE)).toBe(3_000 + GRACE);
    expect(nextLossDeadline(lost, 5_000 + GRACE, GRACE)).toBeUndefined();
    expect(nextLossDeadline(new Map(), 0, GRACE)).toBeUndefined();
  });
});

describe('routableWith', () => {
  const spec = specDoc(D, 0, 'a1', 'zone-a');
  const healthy = statusDoc(spec);
  const crashed = statusDoc(spec, { state: 'restarting', healthy: false });

  it('follows the status while the allocator is live', () => {
    expect(routableWith(healthy, 'live', false)).toBe(true);
    expect(routableWith(crashed, 'live', true)).toBe(false);
  });

  it('during the grace keeps the current flag but lets a status take it down, never up', () => {
    expect(routableWith(healthy, 'suspect', true)).toBe(true);
    expect(routableWith(healthy, 'suspect', false)).toBe(false);
    expect(routableWith(healthy, 'suspect', undefined)).toBe(false);
    expect(routableWith(crashed, 'suspect', true)).toBe(false);
  });

  it('is never routable once the allocator is lost, whatever its stale status says', () => {
    expect(routableWith(healthy, 'lost', true)).toBe(false);
  });
});

describe('route health with a lost allocator', () => {
  const a = specDoc(D, 0, 'a1', 'zone-a');
  const b = specDoc(D, 1, 'b1', 'zone-b');
  const c = specDoc(D, 2, 'c1', 'zone-c');
  const statuses = new Map([a, b, c].map((s) => [s.instance_id, statusDoc(s)]));
  const route = buildRoute(
    D,
    [a, b, c].map((spec) => ({ spec, status: statuses.get(spec.instance_id) })),
    'client',
    'T0',
  );
  const flags = (r: typeof route | undefined) => r?.instances.map((i) => i.healthy);
  const presence =
    (b1: AllocatorPresence) =>
    (id: string): AllocatorPresence =>
      id === 'b1' ? b1 : 'live';

  it('keeps every instance routable during the grace (an allocator restart does not flap routes)', () => {
    expect(syncRouteHealth(route, statuses, () => 'client', 'T1', presence('suspect'))).toBeUndefined();
  });

  it('marks only the lost allocator unroutable after the grace, although its statuses say healthy', () => {
    const down = syncRouteHealth(route, statuses, () => 'client', 'T1', presence('lost'));
    expect(flags(down)).toEqual([true, false, true]);
    // A new leader sees the allocator `suspect` again (its grace restarts): the decision holds.
    expect(syncRouteHealth(down!, statuses, () => 'client', 'T2', presence('suspect'))).toBeUndefined();
    // Live again with healthy statuses: routable again.
    expect(flags(syncRouteHealth(down!, statuses, () => 'client', 'T3', presence('live')))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('an attempt rebuilding the route keeps a lost or suspect allocator down, and new members out', () => {
    const down = syncRouteHealth(route, statuses, () => 'client', 'T1', presence('lost'))!;
    const members = [a, b, c].map((spec) => ({ spec, status: statuses.get(spec.instance_id) }));
    const rebuilt = buildRoute(D, members, 'client', 'T2', { presence: presence('suspect'), previous: down });
    expect(flags(rebuilt)).toEqual([true, false, true]);
    const fresh = buildRoute(D, members, 'client', 'T2', { presence: presence('suspect') });
    expect(flags(fresh)).toEqual([true, false, true]);
    const kept = buildRoute(D, members, 'client', 'T2', { presence: presence('suspect'), previous: route });
    expect(flags(kept)).toEqual([true, true, true]);
  });
});
