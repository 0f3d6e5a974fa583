import { FAILURE_TYPES, isWharfError } from '@wharf/model';
import { allocatorAd, specDoc } from '../../test/fixtures';
import { place, type AllocatorView, type Placement, type PlacementRequest } from './place';

const D = 'd1';
const live = (ad: AllocatorView['advertisement'], isLive = true): AllocatorView => ({
  advertisement: ad,
  live: isLive,
});
const req = (n: number, extra: Partial<PlacementRequest> = {}): PlacementRequest => ({
  instance_id: `${D}-main-${n}`,
  deployment_id: D,
  ref_id: 'main',
  topology_id: 'default',
  memory_mb: 256,
  ...extra,
});

function placed(result: ReturnType<typeof place>): Placement[] {
  if (!result.ok) throw result.error;
  return result.placements;
}

/** Two allocators in each of zones a, b, c. */
const sixAllocators = () =>
  ['a', 'b', 'c'].flatMap((z) => [
    live(allocatorAd(`${z}1`, `zone-${z}`)),
    live(allocatorAd(`${z}2`, `zone-${z}`)),
  ]);

describe('place', () => {
  it('spreads three instances over three zones', () => {
    const p = placed(place([req(0), req(1), req(2)], sixAllocators(), []));
    expect(new Set(p.map((x) => x.zone))).toEqual(new Set(['zone-a', 'zone-b', 'zone-c']));
  });

  it('puts one instance in every zone before a second in any zone, then avoids shared allocators', () => {
    const p = placed(
      place(
        [0, 1, 2, 3, 4].map((n) => req(n)),
        sixAllocators(),
        [],
      ),
    );
    const perZone = new Map<string, number>();
    for (const x of p) perZone.set(x.zone, (perZone.get(x.zone) ?? 0) + 1);
    expect([...perZone.values()].sort()).toEqual([1, 2, 2]);
    expect(new Set(p.map((x) => x.allocator_id)).size).toBe(5);
  });

  it('counts existing members of the same topology element for the zone spread (grow 3 → 5)', () => {
    const existing = [
      specDoc(D, 0, 'a1', 'zone-a'),
      specDoc(D, 1, 'b1', 'zone-b'),
      specDoc(D, 2, 'c1', 'zone-c'),
    ];
    const p = placed(place([req(3), req(4)], sixAllocators(), existing));
    expect(new Set(p.map((x) => x.zone)).size).toBe(2);
    // Anti-affinity: never on an allocator that already runs an instance of the deployment.
    for (const x of p) expect(['a1', 'b1', 'c1']).not.toContain(x.allocator_id);
  });

  it('places a second instance on the same allocator only when unavoidable', () => {
    const allocators = [live(allocatorAd('a1', 'zone-a'))];
    const p = placed(place([req(0), req(1)], allocators, []));
    expect(p.map((x) => x.allocator_id)).toEqual(['a1', 'a1']);
  });

  it('breaks ties by most free memory, then by allocator id', () => {
    const allocators = [live(allocatorAd('x2', 'zone-a', 4096)), live(allocatorAd('x1', 'zone-a', 4096))];
    expect(placed(place([req(0)], allocators, []))[0]!.allocator_id).toBe('x1');
    const bigger = [...allocators, live(allocatorAd('x3', 'zone-a', 8192))];
    expect(placed(place([req(0)], bigger, []))[0]!.allocator_id).toBe('x3');
  });

  it('is deterministic', () => {
    const a = place(
      [0, 1, 2, 3].map((n) => req(n)),
      sixAllocators(),
      [],
    );
    const b = place(
      [0, 1, 2, 3].map((n) => req(n)),
      [...sixAllocators()].reverse(),
      [],
    );
    expect(a).toEqual(b);
  });

  it('counts memory used by specs of every deployment', () => {
    const allocators = [live(allocatorAd('a1', 'zone-a', 1024)), live(allocatorAd('b1', 'zone-b', 1024))];
    const existing = [specDoc('other', 0, 'a1', 'zone-a', { memory_mb: 1000 })];
    const p = placed(place([req(0), req(1)], allocators, existing));
    expect(p.map((x) => x.allocator_id)).toEqual(['b1', 'b1']);
  });

  it('checks cpus after memory (ECE share: cpus × memory / capacity × multiplier)', () => {
    const allocators = [live(allocatorAd('a1', 'zone-a', 1024)), live(allocatorAd('b1', 'zone-b', 2048))];
    // On a1 a 512 MB instance with multiplier 3 needs 2 × 512/1024 × 3 = 3 cpus of 2.
    const p = placed(place([req(0, { memory_mb: 512, constraints: { cpu_multiplier: 3 } })], allocators, []));
    expect(p[0]!.allocator_id).toBe('b1');
    const none = place([req(0, { memory_mb: 1024, constraints: { cpu_multiplier: 3 } })], allocators, []);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.message).toContain('not enough cpus');
  });

  it('never uses an allocator in maintenance or without a live node', () => {
    const allocators = [
      live(allocatorAd('a1', 'zone-a', 8192, { maintenance: true })),
      live(allocatorAd('b1', 'zone-b', 8192), false),
      live(allocatorAd('c1', 'zone-c', 1024)),
    ];
    const p = placed(place([req(0), req(1)], allocators, []));
    expect(p.map((x) => x.allocator_id)).toEqual(['c1', 'c1']);
  });

  it('honours allowed_zones and allocator_filter', () => {
    const allocators = [
      live(allocatorAd('a1', 'zone-a', 8192, { tags: { disk: 'ssd' } })),
      live(allocatorAd('b1', 'zone-b', 8192, { tags: { disk: 'ssd' } })),
      live(allocatorAd('b2', 'zone-b', 4096, { tags: { disk: 'hdd' } })),
    ];
    const zoneOnly = placed(place([req(0, { constraints: { allowed_zones: ['zone-b'] } })], allocators, []));
    expect(zoneOnly[0]!.allocator_id).toBe('b1');
    const hdd = placed(
      place([req(0, { constraints: { allocator_filter: { disk: 'hdd' } } })], allocators, []),
    );
    expect(hdd[0]!.allocator_id).toBe('b2');
  });

  it('fails with NoCapacity naming the instance, the largest free memory and the shortfall', () => {
    const allocators = [
      live(allocatorAd('a1', 'zone-a', 2048)),
      live(allocatorAd('b1', 'zone-b', 4096, { maintenance: true })),
      live(allocatorAd('c1', 'zone-c', 4096), false),
    ];
    const result = place([req(0, { memory_mb: 3000 })], allocators, []);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(isWharfError(result.error, 'WHARF_NO_CAPACITY')).toBe(true);
    expect(result.error.message).toBe(
      `no capacity for instance ${D}-main-0 (3000 MB): largest free memory on an eligible allocator is 2048 MB ` +
        '(short by 952 MB); 1 of 3 allocators eligible (excluded: b1: in maintenance, c1: not live)',
    );
    expect(result.error.details).toMatchObject({
      failure_type: FAILURE_TYPES.noCapacity,
      shortfall_mb: 952,
      largest_free_mb: 2048,
    });
  });

  it('places all or nothing', () => {
    const allocators = [live(allocatorAd('a1', 'zone-a', 600))];
    const result = place([req(0), req(1), req(2)], allocators, []);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(`${D}-main-2`);
  });

  it('reports no eligible allocator when none exists', () => {
    const result = place([req(0)], [], []);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.message).toContain('no eligible allocator; 0 of 0 allocators eligible');
  });
});
