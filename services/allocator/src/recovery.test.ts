import { type InstanceStatus } from '@wharf/model';
import { recoverRecords, type LabelledContainer } from './recovery';

function status(overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    schema_version: 1,
    instance_id: 'd1-main-0',
    deployment_id: 'd1',
    allocator_id: 'alloc-a',
    state: 'running',
    healthy: true,
    host: '127.0.0.1',
    ports: { http: 20003 },
    generation: 4,
    restarts: 2,
    runtime_id: 'c1',
    updated: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const container = (overrides: Partial<LabelledContainer> = {}): LabelledContainer => ({
  id: 'c1',
  instanceId: 'd1-main-0',
  running: true,
  deploymentId: 'd1',
  fingerprint: 'f',
  ports: { http: 20003 },
  ...overrides,
});

const statuses = (...list: InstanceStatus[]) => new Map(list.map((s) => [s.instance_id, s]));

describe('recoverRecords', () => {
  it('adopts a running container with the ports, restarts and health of its status', () => {
    const records = recoverRecords(statuses(status()), [container()], 50);
    expect(records.get('d1-main-0')).toMatchObject({
      phase: 'running',
      healthy: true,
      containerId: 'c1',
      fingerprint: 'f',
      ports: { http: 20003 },
      restarts: 2,
      generation: 4,
    });
  });

  it('keeps the reservation of a held instance that has no container', () => {
    const records = recoverRecords(statuses(status({ state: 'reserved', healthy: false })), [], 50);
    expect(records.get('d1-main-0')).toMatchObject({ phase: 'reserved', ports: { http: 20003 } });
  });

  it('recovers ports from container labels when the status is missing', () => {
    const records = recoverRecords(new Map(), [container({ ports: { http: 20007 } })], 50);
    expect(records.get('d1-main-0')).toMatchObject({ phase: 'starting', ports: { http: 20007 } });
  });

  it('schedules an immediate restart for an instance that ran but whose process is gone', () => {
    const records = recoverRecords(statuses(status()), [container({ running: false })], 50);
    expect(records.get('d1-main-0')).toMatchObject({ phase: 'restarting', retryAt: 50, containerId: 'c1' });
  });

  it('prefers the running container named in the status', () => {
    const records = recoverRecords(
      statuses(status({ runtime_id: 'c2' })),
      [container(), container({ id: 'c2' })],
      50,
    );
    expect(records.get('d1-main-0')?.containerId).toBe('c2');
  });
});
