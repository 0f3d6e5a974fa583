/** Request bodies and synthetic documents (what other services would write) for tests. */
import { etcdCreateRequest } from '@wharf/testkit';

export { httpResource } from '@wharf/testkit';

/** A JSON document tests build and then mutate at any depth (typing each shape would add nothing). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** A valid create request: one etcd resource. */
export function etcdRequest(name = 'orders', zoneCount = 3, memoryMb = 512): Loose {
  return etcdCreateRequest(name, { zoneCount, memoryMb, timeoutSeconds: 300 });
}

const T0 = '2026-01-01T00:00:00.000Z';

/** An allocator advertisement. */
export function advertisement(id: string, zone: string, memoryMb = 4096, maintenance = false): Loose {
  return {
    schema_version: 1,
    id,
    zone,
    host: '127.0.0.1',
    capacity: { memory_mb: memoryMb, cpus: 2 },
    port_range: { from: 20000, to: 20999 },
    tags: { disk: 'ssd' },
    maintenance,
    runtime: 'process',
    version: '0.1.0',
    started: T0,
  };
}

/** An instance spec as the constructor writes it. */
export function instanceSpec(
  deployment: string,
  allocator: string,
  zone: string,
  index: number,
  memoryMb = 512,
): Loose {
  return {
    schema_version: 1,
    instance_id: `${deployment}-main-${index}`,
    deployment_id: deployment,
    ref_id: 'main',
    topology_id: 'default',
    stack: 'etcd',
    version: '3.4',
    allocator_id: allocator,
    zone,
    memory_mb: memoryMb,
    hold: false,
    cluster: { token: 't', state: 'new', members: [] },
    plan_attempt_id: 'a1',
    generation: 2,
    created: T0,
  };
}

/** An instance status as the allocator writes it. */
export function instanceStatus(deployment: string, allocator: string, index: number, healthy = true): Loose {
  return {
    schema_version: 1,
    instance_id: `${deployment}-main-${index}`,
    deployment_id: deployment,
    allocator_id: allocator,
    state: 'running',
    healthy,
    host: '127.0.0.1',
    ports: { client: 20000 + index, peer: 20100 + index },
    generation: 2,
    restarts: 0,
    updated: T0,
  };
}

/** A plan attempt as the constructor writes it. */
export function planAttempt(deployment: string, attemptId: string, status: string, started: string): Loose {
  return {
    schema_version: 1,
    plan_attempt_id: attemptId,
    plan_id: `plan-${attemptId}`,
    deployment_id: deployment,
    attempt_start_time: started,
    status,
    healthy: status === 'success',
    plan_attempt_log: [
      {
        step_id: 'validate-plan-safety',
        status: 'success',
        stage: 'completed',
        started,
        completed: started,
        duration_in_millis: 1,
        info_log: [],
      },
      ...(status === 'running'
        ? []
        : [
            {
              step_id: 'plan-completed',
              status: status === 'success' ? 'success' : 'error',
              stage: 'completed',
              info_log: [],
            },
          ]),
    ],
    ...(status === 'error'
      ? { error: { message: 'no capacity', failure_type: 'ClusterFailure:NoCapacity' } }
      : {}),
  };
}

/** A service registration. */
export function registration(id: string, service: string, port?: number): Loose {
  return {
    schema_version: 1,
    id,
    service,
    address: '127.0.0.1',
    ...(port ? { port } : {}),
    version: '0.1.0',
    started: T0,
  };
}

/** A host registration as a runner writes it at `/hosts/<id>` (zone-a, process runtime). */
export function hostRegistration(id: string, address: string, roles: string[]): Loose {
  return {
    schema_version: 1,
    id,
    address,
    zone: 'zone-a',
    roles,
    runtime: 'process',
    version: '0.1.0',
    started: '2026-01-01T00:00:00.000Z',
  };
}
