import { SCHEMA_VERSION, paths, type InstanceSpec } from '@wharf/model';
import { specDoc } from '../../test/fixtures';
import { type NodeParser } from '../core/observed';
import { place } from '../core/place';
import { DeploymentsIndex } from './deployments-index';
import { TOMBSTONE_TTL_MS, ObservedIndex } from './observed-index';

const parse: NodeParser = (_kind, _path, data) => JSON.parse(data.toString()) as never;

/** A held spec of deployment `<first part of id>`. */
const spec = (id: string, allocator: string, memoryMb = 128): InstanceSpec =>
  specDoc(id.split('-')[0]!, 0, allocator, 'zone-a', {
    instance_id: id,
    memory_mb: memoryMb,
    hold: true,
    generation: 1,
  });

function advertise(index: ObservedIndex, id: string, memoryMb: number): void {
  const ad = {
    schema_version: SCHEMA_VERSION,
    id,
    zone: 'zone-a',
    capacity: { memory_mb: memoryMb, cpus: 4 },
    maintenance: false,
    tags: {},
  };
  index.put(paths.allocator(id), Buffer.from(JSON.stringify(ad)));
  index.put(paths.allocatorLive(id), Buffer.alloc(0));
}

const specData = (s: InstanceSpec): Buffer => Buffer.from(JSON.stringify(s));

describe('ObservedIndex', () => {
  let now = 0;
  const index = (): ObservedIndex => new ObservedIndex(parse, () => now);

  it('follows node events without a rebuild: allocators, live nodes, specs, statuses', () => {
    const i = index();
    advertise(i, 'a1', 256);
    i.put(paths.instanceSpec('a1', 'd1-main-0'), specData(spec('d1-main-0', 'a1')));
    expect(i.view.allocators.get('a1')?.live).toBe(true);
    expect([...i.specsOn('a1')].map((s) => s.instance_id)).toEqual(['d1-main-0']);
    const before = i.presenceVersion;
    i.put(paths.instanceStatus('a1', 'd1-main-0'), Buffer.from('{"instance_id":"d1-main-0"}'));
    expect(i.presenceVersion).toBe(before); // a status write is not a presence change
    expect(i.statusIdsOfDeployment('d1')).toEqual(['d1-main-0']);
    i.remove(paths.allocatorLive('a1'));
    expect(i.view.allocators.get('a1')?.live).toBe(false);
    expect(i.presenceVersion).toBeGreaterThan(before);
  });

  it('counts its own creates before the cache echoes them, so a second placement never double-books', () => {
    const i = index();
    advertise(i, 'a1', 256);
    advertise(i, 'a2', 128);
    const first = place(
      [
        {
          instance_id: 'd1-main-0',
          deployment_id: 'd1',
          ref_id: 'main',
          topology_id: 'default',
          memory_mb: 128,
        },
      ],
      [...i.view.allocators.values()],
      i,
    );
    expect(first.ok && first.placements[0]?.allocator_id).toBe('a1');
    i.recordCreated([spec('d1-main-0', 'a1')]);
    const req = (id: string, d: string) => ({
      instance_id: id,
      deployment_id: d,
      ref_id: 'main',
      topology_id: 'default',
      memory_mb: 128,
    });
    const second = place(
      [req('d2-main-0', 'd2'), req('d3-main-0', 'd3')],
      [...i.view.allocators.values()],
      i,
    );
    expect(second.ok).toBe(true);
    i.recordCreated([spec('d2-main-0', 'a1'), spec('d3-main-0', 'a2')]);
    // Full now: 256 on a1, 128 on a2.
    const third = place([req('d4-main-0', 'd4')], [...i.view.allocators.values()], i);
    expect(third.ok).toBe(false);
    // The echo replaces the ledger entry; a failed create releases what was reserved.
    i.put(paths.instanceSpec('a1', 'd1-main-0'), specData(spec('d1-main-0', 'a1')));
    i.forgetCreated(['d1-main-0', 'd3-main-0']);
    expect(i.ledgerSize()).toEqual({ created: 1, deleted: 0 });
    expect([...i.specsOn('a1')].map((s) => s.instance_id).sort()).toEqual(['d1-main-0', 'd2-main-0']);
    expect([...i.specsOn('a2')]).toEqual([]);
  });

  it('hides its own deletes from a cache that is behind, until the cache sees them go', () => {
    const i = index();
    advertise(i, 'a1', 256);
    const path = paths.instanceSpec('a1', 'd1-main-0');
    i.put(path, specData(spec('d1-main-0', 'a1')));
    i.recordDeleted('d1-main-0');
    expect(i.specsOfDeployment('d1')).toEqual([]);
    i.put(path, specData(spec('d1-main-0', 'a1'))); // a late read of the deleted node
    expect(i.specsOfDeployment('d1')).toEqual([]);
    i.remove(path);
    expect(i.ledgerSize()).toEqual({ created: 0, deleted: 0 });
    // A tombstone the cache never clears stops hiding after its time to live.
    i.recordDeleted('d9-main-0');
    now += TOMBSTONE_TTL_MS;
    i.put(paths.instanceSpec('a1', 'd9-main-0'), specData(spec('d9-main-0', 'a1')));
    expect(i.specsOfDeployment('d9')).toHaveLength(1);
  });

  it('keeps the ledger across a full reload', () => {
    const i = index();
    advertise(i, 'a1', 256);
    i.recordCreated([spec('d1-main-0', 'a1')]);
    const ad = i.view.allocators.get('a1')!.advertisement;
    i.load(
      new Map([
        [paths.allocator('a1'), { data: Buffer.from(JSON.stringify(ad)) }],
        [paths.allocatorLive('a1'), { data: Buffer.alloc(0) }],
      ]),
    );
    expect(i.specsOfDeployment('d1').map((s) => s.instance_id)).toEqual(['d1-main-0']);
    expect(i.view.live.has('a1')).toBe(true);
  });
});

describe('DeploymentsIndex', () => {
  it('re-parses only the deployments changed since the last read', () => {
    const parsed: string[] = [];
    const counting: NodeParser = (_kind, path, data) => {
      parsed.push(path);
      return JSON.parse(data.toString()) as never;
    };
    const i = new DeploymentsIndex(counting);
    const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
    i.put(paths.deployment('d1'), json({ id: 'd1' }), 0);
    i.put(paths.deployment('d2'), json({ id: 'd2' }), 0);
    i.put(paths.planPending('d2'), json({ plan_id: 'p1' }), 0);
    expect(i.current().get('d2')?.pending?.plan_id).toBe('p1');
    parsed.length = 0;
    i.put(paths.planAttempt('d1'), json({ status: 'running' }), 0);
    expect(i.current().get('d1')?.attempt).toEqual({ status: 'running' });
    expect(parsed.every((p) => p.includes('/d1'))).toBe(true);
    i.remove(paths.planPending('d2'));
    expect(i.current().get('d2')?.pending).toBeUndefined();
    i.remove(paths.deployment('d2'));
    expect([...i.current().keys()]).toEqual(['d1']);
  });
});
