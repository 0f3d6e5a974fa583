/** Document builders shared by the constructor's unit and integration tests (no I/O). */
import {
  SCHEMA_VERSION,
  type AllocatorAdvertisement,
  type InstanceSpec,
  type InstanceStatus,
  type PlanDocument,
} from '@wharf/model';
import { etcdCreateRequest } from '@wharf/testkit';

/** A fixed time for documents. */
export const T0 = '2024-01-01T00:00:00.000Z';

/** Options of {@link etcdPlanDoc}. */
export interface PlanOptions {
  zoneCount?: number;
  memoryMb?: number;
  version?: string;
  settings?: Record<string, string | boolean>;
  strategy?: Record<string, unknown>;
  timeoutSeconds?: number;
  planId?: string;
  instanceConfigurationId?: string;
}

/** A pending/current plan document for one etcd resource `main` with one topology element. */
export function etcdPlanDoc(deploymentId: string, o: PlanOptions = {}): PlanDocument {
  const { resources } = etcdCreateRequest('unused', {
    ...o,
    userSettings: o.settings,
    strategy: o.strategy ?? { grow_and_shrink: {} },
  });
  return {
    schema_version: SCHEMA_VERSION,
    plan_id: o.planId ?? `plan-${o.zoneCount ?? 3}-${o.memoryMb ?? 256}`,
    deployment_id: deploymentId,
    created: T0,
    source: { action: 'update' },
    resources,
  };
}

/** A shutdown plan. */
export function shutdownPlanDoc(deploymentId: string, planId = 'plan-delete'): PlanDocument {
  return {
    schema_version: SCHEMA_VERSION,
    plan_id: planId,
    deployment_id: deploymentId,
    created: T0,
    source: { action: 'delete' },
    resources: {},
    shutdown: true,
  };
}

/** An allocator advertisement. */
export function allocatorAd(
  id: string,
  zone: string,
  memoryMb = 4096,
  extra: Partial<AllocatorAdvertisement> = {},
): AllocatorAdvertisement {
  return {
    schema_version: SCHEMA_VERSION,
    id,
    zone,
    host: '127.0.0.1',
    capacity: { memory_mb: memoryMb, cpus: 2 },
    port_range: { from: 20000, to: 20999 },
    tags: {},
    maintenance: false,
    runtime: 'process',
    version: '0.1.0',
    started: T0,
    ...extra,
  };
}

/** An instance spec of etcd resource `main`. */
export function specDoc(
  deploymentId: string,
  index: number,
  allocatorId: string,
  zone: string,
  extra: Partial<InstanceSpec> = {},
): InstanceSpec {
  return {
    schema_version: SCHEMA_VERSION,
    instance_id: `${deploymentId}-main-${index}`,
    deployment_id: deploymentId,
    ref_id: 'main',
    topology_id: 'default',
    stack: 'etcd',
    version: '3.4',
    allocator_id: allocatorId,
    zone,
    memory_mb: 256,
    hold: false,
    cluster: { token: `${deploymentId}-main-tok`, state: 'new', members: [] },
    plan_attempt_id: 'attempt-0',
    generation: 2,
    created: T0,
    ...extra,
  };
}

/** An instance status. */
export function statusDoc(spec: InstanceSpec, extra: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    schema_version: SCHEMA_VERSION,
    instance_id: spec.instance_id,
    deployment_id: spec.deployment_id,
    allocator_id: spec.allocator_id,
    state: 'running',
    healthy: true,
    host: '127.0.0.1',
    ports: { client: 21000, peer: 21001 },
    generation: spec.generation,
    restarts: 0,
    updated: T0,
    ...extra,
  };
}
