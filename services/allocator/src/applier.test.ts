import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { type ContainerInfo, type ContainerRuntime, type ContainerSpec } from '@wharf/runtime';
import { type StackPack } from '@wharf/stacks';
import { runningRecord, specFixture } from '../test/fixtures';
import { type ApplierContext, applyPlan } from './applier';
import { compileAllocatorOptions } from './options';
import { type InstanceRecord } from './instance-record';
import { createAllocatorMetrics } from './metrics';
import { type ReconcilePlan } from './reconcile';
import { type StatusStore } from './status-store';

/** A runtime that only records what it is asked, in order. */
function recordingRuntime(calls: string[]): ContainerRuntime {
  let next = 0;
  return {
    kind: 'process',
    state: 'open',
    open: async () => undefined,
    containerView: (dataDir: string, hostAddress: string) => ({ dataDir, bindHost: hostAddress }),
    create: async (spec: ContainerSpec) => {
      next += 1;
      calls.push(`create ${spec.name}`);
      return { id: `c${next}`, name: spec.name } as ContainerInfo;
    },
    start: async (id: string) => {
      calls.push(`start ${id}`);
    },
    stop: async (id: string) => {
      calls.push(`stop ${id}`);
    },
    remove: async (id: string) => {
      calls.push(`remove ${id}`);
    },
    inspect: async () => null,
    list: async () => [],
    logs: async () => '',
    on: () => () => undefined,
    close: async () => undefined,
  } as unknown as ContainerRuntime;
}

const emptyPlan = (): ReconcilePlan => ({
  reserve: [],
  start: [],
  restart: [],
  recreate: [],
  stop: [],
  accept: [],
  remove: [],
});

describe('applyPlan: the pack start delay', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'wharf-applier-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  function context(calls: string[], delayMs: number) {
    const logger = createTestLogger();
    const pack = {
      kind: 'http',
      portNames: ['http'],
      command: () => ({ argv: ['/bin/true'], env: {}, startDelayMs: delayMs }),
    } as unknown as StackPack;
    const records = new Map<string, InstanceRecord>();
    const ctx: ApplierContext = {
      config: compileAllocatorOptions({ id: 'alloc-a', home, capacityMb: 1024 }),
      runtime: recordingRuntime(calls),
      stacks: () => pack,
      records,
      statuses: {} as StatusStore,
      portCheck: async () => true,
      logger,
      metrics: createAllocatorMetrics(createMetrics('allocator')),
      now: () => Date.now(),
      foreignPorts: () => [],
    };
    return { ctx, logger, records };
  }

  it('creates the container, then waits out the delay before the first start', async () => {
    const calls: string[] = [];
    const { ctx: base, logger, records } = context(calls, 50);
    // A still clock: on a loaded machine creating the container can outlast the whole delay.
    const ctx = { ...base, now: () => 1_000 };
    const spec = specFixture();
    records.set(spec.instance_id, { ...runningRecord(spec), phase: 'reserved', containerId: undefined });
    await applyPlan(ctx, { ...emptyPlan(), start: [{ instanceId: spec.instance_id, spec }] });
    expect(calls).toEqual(['create wharf-alloc-a-d1-main-0', 'start c1']);
    const delayed = logger.entries.find((e) => e.message === 'start delayed by the stack pack');
    expect(delayed?.meta).toMatchObject({ instance: 'd1-main-0' });
    expect(records.get(spec.instance_id)).toMatchObject({ phase: 'starting', containerId: 'c1' });
  });

  it('does not delay a restart', async () => {
    const calls: string[] = [];
    const { ctx, logger, records } = context(calls, 50);
    const spec = specFixture();
    records.set(spec.instance_id, { ...runningRecord(spec), phase: 'restarting', containerId: 'c0' });
    await applyPlan(ctx, { ...emptyPlan(), restart: [{ instanceId: spec.instance_id, spec }] });
    expect(calls).toEqual(['stop c0', 'remove c0', 'create wharf-alloc-a-d1-main-0', 'start c1']);
    expect(logger.entries.some((e) => e.message === 'start delayed by the stack pack')).toBe(false);
    expect(records.get(spec.instance_id)).toMatchObject({ restarts: 1, containerId: 'c1' });
  });
});
