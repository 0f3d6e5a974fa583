import { type Availability, type Deployment, type PlanAttempt } from '@wharf/model';
import { type AllocatorSnapshot } from '../store/types';
import {
  HEARTBEAT_STALE_MS,
  heartbeatView,
  allocatorView,
  deploymentStatus,
  endpointUrl,
  instancesHealthy,
  instancesOf,
  mergeAttempts,
} from './views';

const record = (deleting?: boolean): Deployment => ({
  schema_version: 1,
  id: 'd1',
  name: 'n',
  created: '2026-01-01T00:00:00.000Z',
  updated: '2026-01-01T00:00:00.000Z',
  ...(deleting === undefined ? {} : { deleting }),
});

const spec = (instance: string, deployment = 'd1', memory = 256) =>
  ({
    instance_id: instance,
    deployment_id: deployment,
    ref_id: 'main',
    topology_id: 'default',
    zone: 'z',
    memory_mb: memory,
  }) as never;
const status = (instance: string, state: string, healthy: boolean) =>
  ({ instance_id: instance, state, healthy, host: 'h', ports: { client: 1 }, generation: 1 }) as never;

describe('views', () => {
  it.each([
    [false, [], 'inactive'],
    [false, ['pending'], 'creating'],
    [false, ['pending', 'current'], 'updating'],
    [false, ['current'], 'running'],
    [true, ['current'], 'deleting'],
  ] as const)('status: deleting=%s plan nodes %j → %s', (deleting, nodes, expected) => {
    expect(deploymentStatus(record(deleting), nodes)).toBe(expected);
  });

  it('joins specs with statuses; an instance is healthy only when running, healthy and its allocator is live', () => {
    const allocators: AllocatorSnapshot[] = [
      {
        id: 'a',
        advertisement: undefined,
        live: true,
        specs: [spec('d1-main-1'), spec('x-main-0', 'x')],
        statuses: [status('d1-main-1', 'running', true)],
      },
      {
        id: 'b',
        advertisement: undefined,
        live: false,
        specs: [spec('d1-main-0')],
        statuses: [status('d1-main-0', 'running', true)],
      },
      {
        id: 'c',
        advertisement: undefined,
        live: true,
        specs: [spec('d1-main-2')],
        statuses: [status('d1-main-2', 'starting', true)],
      },
    ];
    const instances = instancesOf('d1', allocators);
    expect(instances.map((i) => [i.instance_id, i.allocator_id, i.healthy])).toEqual([
      ['d1-main-0', 'b', false],
      ['d1-main-1', 'a', true],
      ['d1-main-2', 'c', false],
    ]);
    expect(instancesHealthy(instances)).toBe(false);
    expect(instancesHealthy(instances.filter((i) => i.healthy))).toBe(true);
    expect(instancesHealthy([])).toBe(false);
  });

  it('sums spec memory as used capacity', () => {
    const view = allocatorView({
      id: 'a',
      advertisement: {
        capacity: { memory_mb: 1000, cpus: 2 },
        maintenance: true,
        zone: 'z',
        tags: {},
      } as never,
      live: true,
      specs: [spec('i1', 'd', 300), spec('i2', 'd', 800)],
      statuses: [],
    });
    expect(view.capacity).toEqual({ memory_mb: 1000, used_memory_mb: 1100, free_memory_mb: 0, cpus: 2 });
    expect(view).toMatchObject({ maintenance: true, connected: true, instances: 2 });
  });

  it('merges the running attempt with history without duplicates, bounded', () => {
    const a = (id: string) => ({ plan_attempt_id: id }) as PlanAttempt;
    expect(mergeAttempts(a('3'), [a('3'), a('2'), a('1')], 10).map((x) => x.plan_attempt_id)).toEqual([
      '3',
      '2',
      '1',
    ]);
    expect(mergeAttempts(undefined, [a('2'), a('1')], 1).map((x) => x.plan_attempt_id)).toEqual(['2']);
  });

  it('fills the endpoint template', () => {
    expect(endpointUrl('https://{id}.example.com:{id}', 'd1')).toBe('https://d1.example.com:d1');
  });
});

describe('heartbeatView', () => {
  const now = Date.parse('2026-12-01T10:30:00.000Z');
  const record: Availability = {
    schema_version: 1,
    deployment_id: 'd1',
    last: { at: '2026-12-01T10:29:50.000Z', up: true, status: 200, ms: 4 },
    hours: [{ hour: '2026-12-01T10', probes: 4, up: 3 }],
  };

  it('shows the last probe and the availability windows', () => {
    expect(heartbeatView(record, now)).toEqual({
      health: { status: 'up', checked_at: '2026-12-01T10:29:50.000Z', latency_ms: 4, http_status: 200 },
      availability: { last_24h: 75, last_30d: 75 },
    });
  });

  it('says unknown without a record or when the last probe is stale', () => {
    expect(heartbeatView(undefined, now)).toEqual({
      health: { status: 'unknown' },
      availability: { last_24h: null, last_30d: null },
    });
    expect(heartbeatView(record, Date.parse(record.last!.at) + HEARTBEAT_STALE_MS + 1).health.status).toBe(
      'unknown',
    );
  });
});
