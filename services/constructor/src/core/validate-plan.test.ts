import { DEFAULT_INSTANCE_CONFIGURATIONS, FAILURE_TYPES, type InstanceConfiguration } from '@wharf/model';
import { etcdPlanDoc, specDoc } from '../../test/fixtures';
import { failureTypeOf } from './failure';
import {
  changeSummary,
  checkChanges,
  clusterTokens,
  computeChanges,
  configurationFor,
  configurationIds,
} from './validate-plan';

const D = 'd1';
const ETCD = DEFAULT_INSTANCE_CONFIGURATIONS['etcd.default']!;
const configs = (entries: [string, InstanceConfiguration | undefined][] = [['etcd.default', ETCD]]) =>
  new Map(entries);
const three = () => [
  specDoc(D, 0, 'a1', 'zone-a'),
  specDoc(D, 1, 'b1', 'zone-b'),
  specDoc(D, 2, 'c1', 'zone-c'),
];

/** A new 3-member cluster. */
const fromNothing = () =>
  computeChanges({ deploymentId: D, plan: etcdPlanDoc(D), current: null, specs: [], statusIds: [] });

function failureOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return failureTypeOf(err);
  }
  return undefined;
}

describe('computeChanges', () => {
  it('grows an existing cluster from the specs read fresh, never reusing an id that has a status', () => {
    const changes = computeChanges({
      deploymentId: D,
      plan: etcdPlanDoc(D, { zoneCount: 4 }),
      current: etcdPlanDoc(D, { zoneCount: 3 }),
      specs: three(),
      statusIds: [`${D}-main-3`],
    });
    const r = changes.resources[0]!;
    expect(r.keep).toHaveLength(3);
    expect(r.create.map((c) => c.instance_id)).toEqual([`${D}-main-4`]);
    expect(changeSummary(changes)).toMatchObject({ keep: 3, create: 1, remove: 0 });
  });

  it('rejects a plan that names another deployment', () => {
    const input = { deploymentId: D, plan: etcdPlanDoc('d2'), current: null, specs: [], statusIds: [] };
    expect(failureOf(() => computeChanges(input))).toBe(FAILURE_TYPES.invalidPlan);
  });
});

describe('checkChanges', () => {
  const changes = fromNothing();

  it('accepts a known stack with a configuration for it', () => {
    expect(configurationIds(changes)).toEqual(['etcd.default']);
    expect(() => checkChanges(changes, () => true, configs())).not.toThrow();
  });

  it('rejects a stack without a pack, an unknown configuration and one for another stack', () => {
    expect(failureOf(() => checkChanges(changes, () => false, configs()))).toBe(FAILURE_TYPES.invalidPlan);
    expect(failureOf(() => checkChanges(changes, () => true, configs([['etcd.default', undefined]])))).toBe(
      FAILURE_TYPES.invalidPlan,
    );
    const other = { ...ETCD, stack: 'other' } as unknown as InstanceConfiguration;
    const c = changes.resources[0]!.create[0]!;
    expect(() => configurationFor(configs([['etcd.default', other]]), c)).toThrow(/is for stack 'other'/);
  });
});

describe('clusterTokens', () => {
  it('gives a new cluster a token of the attempt and keeps an existing one', () => {
    const fresh = fromNothing();
    expect(clusterTokens(fresh, D, 'abcdef0123456789')).toEqual({ main: `${D}-main-abcdef01` });
    const grow = computeChanges({
      deploymentId: D,
      plan: etcdPlanDoc(D, { zoneCount: 4 }),
      current: etcdPlanDoc(D, { zoneCount: 3 }),
      specs: three(),
      statusIds: [],
    });
    expect(clusterTokens(grow, D, 'abcdef0123456789')).toEqual({ main: `${D}-main-tok` });
  });
});
