import { etcdPlanDoc, specDoc, statusDoc } from '../../test/fixtures';
import { type ResourceChanges } from './changes';
import { hasPorts, joinMembers, needsLeave, remainingMembers, rollbackLeavers } from './membership';
import { computeChanges } from './validate-plan';

const D = 'd1';
const specs = [specDoc(D, 0, 'a1', 'zone-a'), specDoc(D, 1, 'b1', 'zone-b'), specDoc(D, 2, 'c1', 'zone-c')];
/** 3 → 5: keeps main-0..2, creates main-3 and main-4 in the existing cluster. */
const grow = (): ResourceChanges =>
  computeChanges({
    deploymentId: D,
    plan: etcdPlanDoc(D, { zoneCount: 5 }),
    current: etcdPlanDoc(D, { zoneCount: 3 }),
    specs,
    statusIds: [],
  }).resources[0]!;
const names = (list: { name: string }[]) => list.map((m) => m.name);

describe('joinMembers', () => {
  it('introduces the n-th new member to the old ones and the new ones before it; the hook gets the healthy ones', () => {
    const s3 = specDoc(D, 3, 'a1', 'zone-a');
    const statuses = new Map([
      [specs[0]!.instance_id, statusDoc(specs[0]!)],
      [specs[1]!.instance_id, statusDoc(specs[1]!, { healthy: false })],
      [specs[2]!.instance_id, statusDoc(specs[2]!)],
      [s3.instance_id, statusDoc(s3)],
    ]);
    const second = joinMembers(grow(), 1, statuses);
    expect(names(second.members)).toEqual([`${D}-main-0`, `${D}-main-1`, `${D}-main-2`, `${D}-main-3`]);
    expect(names(second.healthy)).toEqual([`${D}-main-0`, `${D}-main-2`, `${D}-main-3`]);
    expect(names(joinMembers(grow(), 0, statuses).members)).not.toContain(`${D}-main-3`);
  });
});

describe('remainingMembers', () => {
  it('leaves out the leaving member, those already left and unroutable ones', () => {
    const r: ResourceChanges = {
      ...grow(),
      create: [],
      remove: grow().keep.slice(1),
      keep: grow().keep.slice(0, 1),
    };
    const statuses = new Map(specs.map((s) => [s.instance_id, statusDoc(s)]));
    expect(names(remainingMembers(r, `${D}-main-2`, [], statuses))).toEqual([`${D}-main-0`, `${D}-main-1`]);
    expect(names(remainingMembers(r, `${D}-main-2`, [`${D}-main-1`], statuses))).toEqual([`${D}-main-0`]);
    expect(needsLeave(r, true)).toBe(true);
    expect(needsLeave(r, false)).toBe(false);
    expect(needsLeave({ ...r, dissolve: true }, true)).toBe(false);
  });
});

describe('rollbackLeavers', () => {
  it('takes out released new members and the one joining, newest first; a new cluster needs none', () => {
    const s3 = specDoc(D, 3, 'a1', 'zone-a', { hold: false });
    const s4 = specDoc(D, 4, 'b1', 'zone-b', { hold: true });
    expect(rollbackLeavers(grow(), [s3, s4], undefined).map((s) => s.instance_id)).toEqual([s3.instance_id]);
    expect(rollbackLeavers(grow(), [s3, s4], s4.instance_id).map((s) => s.instance_id)).toEqual([
      s4.instance_id,
      s3.instance_id,
    ]);
    expect(rollbackLeavers({ ...grow(), cluster: { state: 'new' } }, [s3, s4], undefined)).toEqual([]);
    expect(hasPorts(statusDoc(s3, { ports: {} }))).toBe(false);
    expect(hasPorts(statusDoc(s3))).toBe(true);
  });
});
