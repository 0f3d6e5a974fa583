import { type InstanceSpec } from '@wharf/model';
import { type InstanceRecord } from './instance-record';
import { type ObservedContainer, type ReconcileInput, decide, isEmptyPlan, observe } from './reconcile';
import { runningRecord, specFixture } from '../test/fixtures';

const policy = { baseMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

function input(
  specs: InstanceSpec[],
  records: InstanceRecord[],
  containers: ObservedContainer[],
  extra: Partial<ReconcileInput> = {},
): ReconcileInput {
  return {
    specs: new Map(specs.map((s) => [s.instance_id, s])),
    unreadable: new Set(),
    authoritative: true,
    records: new Map(records.map((r) => [r.instanceId, r])),
    containers,
    now: 1000,
    ...extra,
  };
}

const running = (id = 'c1'): ObservedContainer => ({ id, instanceId: 'd1-main-0', running: true });
const ids = (actions: { instanceId: string }[]) => actions.map((a) => a.instanceId);

describe('decide', () => {
  it('reserves a held spec and does not start it', () => {
    const plan = decide(input([specFixture({ hold: true })], [], []));
    expect(ids(plan.reserve)).toEqual(['d1-main-0']);
    expect(plan.start).toEqual([]);
  });

  it('starts a reserved instance once the hold is released', () => {
    const spec = specFixture({ hold: false, generation: 2 });
    const record = runningRecord(spec, { phase: 'reserved', healthy: false, generation: 1 });
    const { containerId: _c, fingerprint: _f, ...reserved } = record;
    expect(ids(decide(input([spec], [reserved], [])).start)).toEqual(['d1-main-0']);
  });

  it('starts a released spec it has never seen (reserving on the way)', () => {
    expect(ids(decide(input([specFixture()], [], [])).start)).toEqual(['d1-main-0']);
  });

  it('reports only a new generation for a held spec whose members changed', () => {
    const spec = specFixture({ hold: true, generation: 3 });
    const record = runningRecord(spec, { phase: 'reserved', generation: 2 });
    const plan = decide(input([spec], [record], []));
    expect(ids(plan.accept)).toEqual(['d1-main-0']);
    expect(plan.reserve).toEqual([]);
  });

  it('does nothing for a running instance whose spec is unchanged', () => {
    const spec = specFixture();
    expect(isEmptyPlan(decide(input([spec], [runningRecord(spec)], [running()])))).toBe(true);
  });

  it('accepts a members-only change of a running instance without restarting it', () => {
    const before = specFixture();
    const after = specFixture({
      generation: 2,
      cluster: {
        token: 't',
        state: 'existing',
        members: [{ name: 'd1-main-1', host: 'h', ports: { http: 1 } }],
      },
    });
    const plan = decide(input([after], [runningRecord(before)], [running()]));
    expect(ids(plan.accept)).toEqual(['d1-main-0']);
    expect(plan.recreate).toEqual([]);
    expect(plan.restart).toEqual([]);
  });

  it.each([
    ['version', { version: '2' }],
    ['memory', { memory_mb: 512 }],
    ['settings', { settings: { greeting: 'hi' } }],
  ])('recreates a running instance whose %s changed', (_name, change) => {
    const before = specFixture();
    const after = specFixture({ generation: 2, ...change });
    const plan = decide(input([after], [runningRecord(before)], [running()]));
    expect(ids(plan.recreate)).toEqual(['d1-main-0']);
  });

  it('waits out the back-off of a crashed instance, then restarts it', () => {
    const spec = specFixture();
    const crashed = runningRecord(spec, { phase: 'restarting', healthy: false, retryAt: 1500 });
    const stopped = { ...running(), running: false };
    const early = decide(input([spec], [crashed], [stopped], { now: 1200 }));
    expect(early.restart).toEqual([]);
    expect(early.wakeAt).toBe(1500);
    expect(ids(decide(input([spec], [crashed], [stopped], { now: 1500 })).restart)).toEqual(['d1-main-0']);
  });

  it('retries a failed start after its back-off', () => {
    const spec = specFixture();
    const { containerId: _c, ...failed } = runningRecord(spec, { phase: 'failed', retryAt: 2000 });
    expect(decide(input([spec], [failed], [], { now: 1999 })).start).toEqual([]);
    expect(ids(decide(input([spec], [failed], [], { now: 2000 })).start)).toEqual(['d1-main-0']);
  });

  it('removes an instance whose spec is gone: container, record and all', () => {
    const plan = decide(input([], [runningRecord(specFixture())], [running()]));
    expect(plan.remove).toEqual([{ instanceId: 'd1-main-0', containerId: 'c1', instance: true }]);
  });

  it('removes an orphan container with no spec and no record', () => {
    const plan = decide(input([], [], [running('c9')]));
    expect(plan.remove).toEqual([{ instanceId: 'd1-main-0', containerId: 'c9', instance: true }]);
  });

  it('removes a reserved instance whose spec is gone (ports and status go too)', () => {
    const { containerId: _c, ...reserved } = runningRecord(specFixture(), { phase: 'reserved' });
    expect(decide(input([], [reserved], [])).remove).toEqual([{ instanceId: 'd1-main-0', instance: true }]);
  });

  it('removes nothing while the specs are not authoritative (ZooKeeper down or cache not ready)', () => {
    const plan = decide(input([], [runningRecord(specFixture())], [running()], { authoritative: false }));
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('leaves an instance with an unreadable spec alone', () => {
    const plan = decide(
      input([], [runningRecord(specFixture())], [running()], { unreadable: new Set(['d1-main-0']) }),
    );
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('removes stray extra containers of an instance but keeps the adopted one', () => {
    const spec = specFixture();
    const plan = decide(input([spec], [runningRecord(spec)], [running('c1'), running('c2')]));
    expect(plan.remove).toEqual([{ instanceId: 'd1-main-0', containerId: 'c2', instance: false }]);
    expect(plan.restart).toEqual([]);
  });

  it('stops a started instance whose spec is held again, keeping its ports', () => {
    const spec = specFixture({ hold: true, generation: 2 });
    expect(ids(decide(input([spec], [runningRecord(specFixture())], [running()])).stop)).toEqual([
      'd1-main-0',
    ]);
  });
});

describe('decide: stopped specs (_stop, _shutdown)', () => {
  it('stops a running instance whose spec is stopped, keeping it (no remove)', () => {
    const spec = specFixture({ stopped: true, generation: 2 });
    const plan = decide(input([spec], [runningRecord(specFixture())], [running()]));
    expect(ids(plan.stop)).toEqual(['d1-main-0']);
    expect(plan.remove).toEqual([]);
  });

  it('leaves a stopped instance stopped, and starts it again once the spec is no longer stopped', () => {
    const record = runningRecord(specFixture(), { phase: 'stopped', healthy: false });
    const stopped = decide(input([specFixture({ stopped: true, generation: 2 })], [record], []));
    expect(stopped.start).toEqual([]);
    const resumed = decide(input([specFixture({ stopped: false, generation: 3 })], [record], []));
    expect(ids(resumed.start)).toEqual(['d1-main-0']);
  });

  it('only reserves a stopped spec it has no record of', () => {
    const plan = decide(input([specFixture({ stopped: true })], [], []));
    expect(ids(plan.reserve)).toEqual(['d1-main-0']);
    expect(plan.start).toEqual([]);
  });
});

describe('observe', () => {
  it('turns a live record whose container died into a scheduled restart', () => {
    const record = runningRecord(specFixture());
    const exit = { code: 1, signal: null, at: 900 };
    const changed = observe(
      new Map([[record.instanceId, record]]),
      [{ ...running(), running: false, exit }],
      policy,
      1000,
    );
    expect(changed.get('d1-main-0')).toMatchObject({ phase: 'restarting', lastExit: exit, retryAt: 1500 });
  });

  it('treats a vanished container as a crash with an unknown exit', () => {
    const record = runningRecord(specFixture());
    const changed = observe(new Map([[record.instanceId, record]]), [], policy, 1000);
    expect(changed.get('d1-main-0')).toMatchObject({
      phase: 'restarting',
      lastExit: { code: null, at: 1000 },
    });
  });

  it('changes nothing while containers run', () => {
    const record = runningRecord(specFixture());
    expect(observe(new Map([[record.instanceId, record]]), [running()], policy, 1000).size).toBe(0);
  });
});
