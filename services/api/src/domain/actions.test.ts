import { type WharfError, type InstanceSpec, type PlanDocument } from '@wharf/model';
import {
  actionPlan,
  checkQuorum,
  keepStopped,
  parseInstanceIds,
  restartOfStopped,
  stoppedAfter,
  withShutDown,
} from './actions';

const spec = (i: number, stack: 'etcd' | 'http' = 'etcd', ref = 'main') =>
  ({ instance_id: `d1-${ref}-${i}`, ref_id: ref, stack }) as InstanceSpec;
const base = (stopped?: PlanDocument['stopped']) =>
  ({
    schema_version: 1,
    plan_id: 'p0',
    deployment_id: 'd1',
    created: '2026-01-01T00:00:00.000Z',
    source: { action: 'create' },
    resources: { etcd: [] },
    ...(stopped ? { stopped } : {}),
  }) as unknown as PlanDocument;
const pathOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return ((err as WharfError).details as { path: string }[])[0]?.path;
  }
  return undefined;
};

describe('deployment actions', () => {
  it('parses comma-separated instance ids, naming instance_ids when bad', () => {
    expect(parseInstanceIds('d1-main-0,d1-main-1')).toEqual(['d1-main-0', 'd1-main-1']);
    expect(pathOf(() => parseInstanceIds('d1-main-0,,x'))).toBe('instance_ids');
    expect(pathOf(() => parseInstanceIds('a,a'))).toBe('instance_ids');
    expect(pathOf(() => parseInstanceIds('../etc'))).toBe('instance_ids');
  });

  it('keeps a running etcd majority unless forced; http instances may all stop', () => {
    const three = [spec(0), spec(1), spec(2)];
    expect(() => checkQuorum(three, new Set(['d1-main-0']), false)).not.toThrow();
    expect(pathOf(() => checkQuorum(three, new Set(['d1-main-0', 'd1-main-1']), false))).toBe('instance_ids');
    expect(() => checkQuorum(three, new Set(['d1-main-0', 'd1-main-1']), true)).not.toThrow();
    expect(() => checkQuorum([spec(0, 'http', 'web')], new Set(['d1-web-0']), false)).not.toThrow();
  });

  it('computes the stopped block of each action', () => {
    expect(stoppedAfter(base(), 'shutdown')).toEqual({ all: true });
    expect(stoppedAfter(base({ all: true }), 'start')).toBeUndefined();
    expect(stoppedAfter(base({ instances: ['b'] }), 'stop-instances', ['a'])).toEqual({
      instances: ['a', 'b'],
    });
    expect(stoppedAfter(base({ instances: ['a', 'b'] }), 'start-instances', ['a'])).toEqual({
      instances: ['b'],
    });
    expect(stoppedAfter(base({ instances: ['a'] }), 'start-instances', ['a'])).toBeUndefined();
  });

  it('writes action plans with the base resources; later plans keep what is stopped', () => {
    const plan = actionPlan(base(), 'shutdown', { all: true }, new Date(0));
    expect(plan).toMatchObject({
      source: { action: 'shutdown' },
      stopped: { all: true },
      resources: { etcd: [] },
    });
    expect(plan.shutdown).toBeUndefined();
    expect(keepStopped(base(), base({ instances: ['a'] })).stopped).toEqual({ instances: ['a'] });
  });

  it('turns _restart of a shut-down deployment into a start; refuses it with stopped instances', () => {
    expect(restartOfStopped(base({ all: true }), new Date(0))).toMatchObject({ source: { action: 'start' } });
    expect(restartOfStopped(base(), new Date(0))).toBeUndefined();
    expect(pathOf(() => restartOfStopped(base({ instances: ['a'] }), new Date(0)))).toBe('instance_ids');
  });

  it('shows a settled shut-down deployment as stopped', () => {
    expect(withShutDown('running', { stopped: { all: true } })).toBe('stopped');
    expect(withShutDown('updating', { stopped: { all: true } })).toBe('updating');
    expect(withShutDown('running', {})).toBe('running');
  });
});
