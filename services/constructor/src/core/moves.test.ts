import { STEP_IDS, isWharfError, type InstanceSpec } from '@wharf/model';
import { allocatorAd, etcdPlanDoc, specDoc } from '../../test/fixtures';
import { type AllocatorPresence } from './allocator-loss';
import { planChanges, type ChangeSet } from './changes';
import { evictions, movePlan, placeMoves, recoveriesDue, recoveryReason, replacements } from './moves';
import { type AllocatorView, type PlacementRequest } from './place';

const D = 'd1';
const GRACE = 10_000;
const NOW = 100_000;

/** Three members, one per zone, on a1 / b1 / c1. */
const three = (): InstanceSpec[] => [
  specDoc(D, 0, 'a1', 'zone-a'),
  specDoc(D, 1, 'b1', 'zone-b'),
  specDoc(D, 2, 'c1', 'zone-c'),
];
const idle = (id = D) => ({ id, busy: false, deleting: false });
const view = (id: string, zone: string, isLive = true): AllocatorView => ({
  advertisement: allocatorAd(id, zone),
  live: isLive,
});

function ok(result: ReturnType<typeof planChanges>): ChangeSet {
  if (!result.ok) throw result.error;
  return result.changes;
}

describe('recoveriesDue', () => {
  it('moves the instances of an allocator away for the grace or longer', () => {
    const d = recoveriesDue({
      deployments: [idle()],
      specs: three(),
      awaySince: new Map([['b1', NOW - GRACE]]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due).toEqual([
      { deployment_id: D, instances: [`${D}-main-1`], lost: [{ allocator_id: 'b1', away_ms: GRACE }] },
    ]);
    expect(d.held).toEqual([]);
  });

  it('leaves stopped instances of a lost allocator alone (they run nowhere)', () => {
    const specs = three().map((s) => ({ ...s, stopped: true }));
    const d = recoveriesDue({
      deployments: [idle()],
      specs,
      awaySince: new Map([['b1', NOW - GRACE]]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due).toEqual([]);
  });

  it('waits while the grace runs, and says when it ends', () => {
    const d = recoveriesDue({
      deployments: [idle()],
      specs: three(),
      awaySince: new Map([['b1', NOW - 4_000]]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due).toEqual([]);
    expect(d.nextAt).toBe(NOW + 6_000);
  });

  it('does nothing when disabled (grace 0) or nobody is away (a mass loss reports nobody)', () => {
    const base = { deployments: [idle()], specs: three(), now: NOW };
    expect(recoveriesDue({ ...base, awaySince: new Map([['b1', 0]]), graceMs: 0 }).due).toEqual([]);
    expect(recoveriesDue({ ...base, awaySince: new Map(), graceMs: GRACE }).due).toEqual([]);
  });

  it('queues a deployment with a pending plan or running attempt, and skips one being deleted', () => {
    const d = recoveriesDue({
      deployments: [
        { id: D, busy: true, deleting: false },
        { id: 'd2', busy: false, deleting: true },
      ],
      specs: [...three(), specDoc('d2', 0, 'b1', 'zone-b')],
      awaySince: new Map([['b1', 0]]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due).toEqual([]);
    expect(d.held).toEqual([
      { deployment_id: D, reason: 'busy' },
      { deployment_id: 'd2', reason: 'deleting' },
    ]);
  });

  it('holds a resource that would not keep a majority of its members', () => {
    const d = recoveriesDue({
      deployments: [idle()],
      specs: three(),
      awaySince: new Map([
        ['a1', 0],
        ['b1', 0],
      ]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due).toEqual([]);
    expect(d.held).toEqual([{ deployment_id: D, reason: 'no-quorum' }]);
  });

  it('a resource whose every member was lost is a rebuild (from a snapshot), not held', () => {
    const d = recoveriesDue({
      deployments: [idle()],
      specs: three().slice(0, 1),
      awaySince: new Map([['a1', 0]]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due).toEqual([]);
    expect(d.held).toEqual([]);
    expect(d.rebuild.map((r) => [r.deployment_id, r.instances])).toEqual([[D, [`${D}-main-0`]]]);
  });

  it('ignores deployments with nothing on the lost allocator', () => {
    const d = recoveriesDue({
      deployments: [idle(), idle('d2')],
      specs: [...three(), specDoc('d2', 0, 'c1', 'zone-c')],
      awaySince: new Map([['b1', 0]]),
      now: NOW,
      graceMs: GRACE,
    });
    expect(d.due.map((r) => r.deployment_id)).toEqual([D]);
  });
});

describe('movePlan and planChanges with a move', () => {
  const current = { ...etcdPlanDoc(D, { planId: 'p1', zoneCount: 3 }), shutdown: false };

  it('copies the current resources under a new id, source and move block', () => {
    const plan = movePlan(
      { ...current, move: { instances: ['old'] } },
      { instances: [`${D}-main-1`] },
      { action: 'recover', reason: 'allocator lost: b1' },
      'recover-1',
      '2024-01-01T00:00:10.000Z',
    );
    expect(plan.plan_id).toBe('recover-1');
    expect(plan.resources).toEqual(current.resources);
    expect(plan.move).toEqual({ instances: [`${D}-main-1`] });
    expect(plan.source).toEqual({ action: 'recover', reason: 'allocator lost: b1' });
    expect(plan.shutdown).toBeUndefined();
  });

  it('replaces exactly the moved instance: one new member, one removed, the others kept', () => {
    const plan = movePlan(current, { instances: [`${D}-main-1`] }, { action: 'move' }, 'm1', current.created);
    const c = ok(planChanges(current, plan, three(), { move: plan.move!.instances }));
    const r = c.resources[0]!;
    expect(r.keep.map((i) => i.instance_id)).toEqual([`${D}-main-0`, `${D}-main-2`]);
    expect(r.remove.map((i) => i.instance_id)).toEqual([`${D}-main-1`]);
    expect(r.create.map((i) => i.instance_id)).toEqual([`${D}-main-3`]);
    expect(r.cluster.state).toBe('existing');
    expect(c.steps).toContain(STEP_IDS.leaveCluster);
  });

  it('without the move the same plan changes nothing (the move is what replaces)', () => {
    const c = ok(planChanges(current, current, three()));
    expect(c.resources[0]!.create).toEqual([]);
    expect(c.resources[0]!.remove).toEqual([]);
  });

  it('names the lost allocators and the moved instances in the reason', () => {
    expect(
      recoveryReason({
        deployment_id: D,
        instances: [`${D}-main-1`],
        lost: [{ allocator_id: 'b1', away_ms: 10_400 }],
      }),
    ).toBe(`allocator lost: b1 (away 10.4 s); moving ${D}-main-1`);
  });
});

describe('placeMoves', () => {
  const current = etcdPlanDoc(D, { zoneCount: 3 });
  const changesMoving = (moved: string[]) =>
    ok(planChanges(current, { ...current, move: { instances: moved } }, three(), { move: moved }));
  const requestsOf = (c: ChangeSet): PlacementRequest[] =>
    c.resources.flatMap((r) =>
      r.create.map((n) => ({
        instance_id: n.instance_id,
        deployment_id: D,
        ref_id: n.ref_id,
        topology_id: n.topology_id,
        memory_mb: n.memory_mb,
        peers: r.keep.map((k) => k.instance_id),
      })),
    );
  const fleet = () => [
    view('a1', 'zone-a'),
    view('b1', 'zone-b', false),
    view('b2', 'zone-b'),
    view('c1', 'zone-c'),
    view('c2', 'zone-c'),
  ];

  it('pairs each new instance with the one it replaces', () => {
    const c = changesMoving([`${D}-main-1`]);
    expect(replacements(c, [`${D}-main-1`]).get(`${D}-main-3`)?.allocator_id).toBe('b1');
  });

  it('puts the replacement in the same zone when an allocator there has room', () => {
    const c = changesMoving([`${D}-main-1`]);
    const r = placeMoves(requestsOf(c), fleet(), three(), c, { instances: [`${D}-main-1`] });
    expect(r.ok && r.placements).toEqual([
      { instance_id: `${D}-main-3`, allocator_id: 'b2', zone: 'zone-b' },
    ]);
  });

  it('goes to another zone when the same zone has no allocator, never beside another member', () => {
    const c = changesMoving([`${D}-main-1`]);
    const allocators = [
      view('a1', 'zone-a'),
      view('b1', 'zone-b'),
      view('c1', 'zone-c'),
      view('c2', 'zone-c'),
    ];
    const r = placeMoves(requestsOf(c), allocators, three(), c, { instances: [`${D}-main-1`] });
    expect(r.ok && r.placements).toEqual([
      { instance_id: `${D}-main-3`, allocator_id: 'c2', zone: 'zone-c' },
    ]);
  });

  it('moves off a live allocator too (vacate), and only onto the listed targets', () => {
    const c = changesMoving([`${D}-main-1`]);
    const allocators = [...fleet().filter((a) => a.advertisement.id !== 'b1'), view('b1', 'zone-b')];
    const r = placeMoves(requestsOf(c), allocators, three(), c, {
      instances: [`${D}-main-1`],
      allocators: ['c2'],
    });
    expect(r.ok && r.placements.map((p) => p.allocator_id)).toEqual(['c2']);
  });

  it('fails with NoCapacity rather than put two members on one allocator', () => {
    const c = changesMoving([`${D}-main-1`]);
    const allocators = [view('a1', 'zone-a'), view('b1', 'zone-b', false), view('c1', 'zone-c')];
    const r = placeMoves(requestsOf(c), allocators, three(), c, { instances: [`${D}-main-1`] });
    expect(r.ok).toBe(false);
    expect(!r.ok && isWharfError(r.error, 'WHARF_NO_CAPACITY')).toBe(true);
  });

  it('spreads two replacements over two allocators', () => {
    const c = changesMoving([`${D}-main-1`, `${D}-main-2`]);
    const allocators = [
      view('a1', 'zone-a'),
      view('b2', 'zone-b'),
      view('c2', 'zone-c'),
      view('c3', 'zone-c'),
    ];
    const r = placeMoves(requestsOf(c), allocators, three(), c, {
      instances: [`${D}-main-1`, `${D}-main-2`],
    });
    expect(r.ok && r.placements.map((p) => p.allocator_id)).toEqual(['b2', 'c2']);
  });
});

describe('evictions', () => {
  const current = etcdPlanDoc(D, { zoneCount: 3 });
  const moved = [`${D}-main-1`];
  const r = () =>
    ok(planChanges(current, { ...current, move: { instances: moved } }, three(), { move: moved }))
      .resources[0]!;
  const presence =
    (dead: string[]) =>
    (a: string): AllocatorPresence =>
      dead.includes(a) ? 'lost' : 'live';

  it('evicts a removed member whose allocator is not live before the join', () => {
    expect(evictions(r(), presence(['b1']), []).map((i) => i.instance_id)).toEqual([`${D}-main-1`]);
  });

  it('evicts nobody on a vacate of a live allocator (grow first, then leave)', () => {
    expect(evictions(r(), presence([]), [])).toEqual([]);
  });

  it('does not evict twice after a resume', () => {
    expect(evictions(r(), presence(['b1']), [`${D}-main-1`])).toEqual([]);
  });
});
