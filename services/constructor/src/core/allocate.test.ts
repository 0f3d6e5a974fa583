import { DEFAULT_INSTANCE_CONFIGURATIONS, type InstanceConfiguration } from '@wharf/model';
import { etcdPlanDoc, specDoc } from '../../test/fixtures';
import { heldSpecs, placementRequests, placementSummary } from './allocate';
import { computeChanges } from './validate-plan';

const D = 'd1';
const ETCD = DEFAULT_INSTANCE_CONFIGURATIONS['etcd.default']!;
const grow = () =>
  computeChanges({
    deploymentId: D,
    plan: etcdPlanDoc(D, { zoneCount: 4 }),
    current: etcdPlanDoc(D, { zoneCount: 3 }),
    specs: [specDoc(D, 0, 'a1', 'zone-a'), specDoc(D, 1, 'b1', 'zone-b'), specDoc(D, 2, 'c1', 'zone-c')],
    statusIds: [],
  });

describe('placementRequests', () => {
  it('asks for each new instance with its configuration constraints and its element peers', () => {
    const ic: InstanceConfiguration = { ...ETCD, allowed_zones: ['zone-b'], cpu_multiplier: 2 };
    const [request, ...rest] = placementRequests(grow(), D, new Map([['etcd.default', ic]]));
    expect(rest).toEqual([]);
    expect(request).toMatchObject({
      instance_id: `${D}-main-3`,
      deployment_id: D,
      memory_mb: 256,
      constraints: { allowed_zones: ['zone-b'], cpu_multiplier: 2 },
      peers: [`${D}-main-0`, `${D}-main-1`, `${D}-main-2`],
    });
  });
});

describe('heldSpecs', () => {
  const placements = [{ instance_id: `${D}-main-3`, allocator_id: 'b1', zone: 'zone-b' }];
  const context = { deploymentId: D, attemptId: 'att-1', tokens: { main: 'tok' }, nowMs: 0 };

  it('writes a held spec at generation 1 at the recorded placement, with the cluster token', () => {
    const ic: InstanceConfiguration = { ...ETCD, storage_multiplier: 4 };
    const [spec] = heldSpecs(grow(), placements, new Map([['etcd.default', ic]]), context);
    expect(spec).toMatchObject({
      instance_id: `${D}-main-3`,
      allocator_id: 'b1',
      zone: 'zone-b',
      hold: true,
      generation: 1,
      disk_mb: 1024,
      plan_attempt_id: 'att-1',
      cluster: { token: 'tok', state: 'existing', members: [] },
    });
    expect(placementSummary(placements)).toBe(`${D}-main-3@b1/zone-b`);
  });

  it('refuses an instance without a recorded placement', () => {
    expect(() => heldSpecs(grow(), [], new Map([['etcd.default', ETCD]]), context)).toThrow(/no placement/);
  });
});
