/**
 * The documents a simulated allocator writes, shaped exactly as `services/allocator` writes them
 * (its `advertisement.ts` and `status-document.ts`), so the constructor cannot tell the
 * difference. Pure: no I/O.
 */
import {
  SCHEMA_VERSION,
  type AllocatorAdvertisement,
  type InstanceSpec,
  type InstanceState,
  type InstanceStatus,
  type ServiceRegistration,
} from '@wharf/model';

/** Loopback address every simulated allocator advertises (nothing listens on it). */
export const SIMULATED_HOST = '127.0.0.1';

/** Version advertised by simulated allocators, so an operator can tell them from real ones. */
export const SIMULATED_VERSION = '0.1.0-sim';

/** What one simulated allocator advertises. */
export interface SimAllocatorConfig {
  id: string;
  zone: string;
  capacityMb: number;
  cpus: number;
  portRange: { from: number; to: number };
  tags: Record<string, string>;
}

/** `/allocators/<id>`: capacity, zone, tags; `maintenance` kept from the stored document. */
export function advertisement(
  config: SimAllocatorConfig,
  maintenance: boolean,
  started: string,
): AllocatorAdvertisement {
  return {
    schema_version: SCHEMA_VERSION,
    id: config.id,
    zone: config.zone,
    host: SIMULATED_HOST,
    capacity: { memory_mb: config.capacityMb, cpus: config.cpus },
    port_range: { from: config.portRange.from, to: config.portRange.to },
    tags: { ...config.tags },
    maintenance,
    runtime: 'process',
    version: SIMULATED_VERSION,
    started,
  };
}

/** `/services/allocator/<id>`: the service registration a real allocator keeps. */
export function serviceRegistration(config: SimAllocatorConfig, started: string): ServiceRegistration {
  return {
    schema_version: SCHEMA_VERSION,
    id: config.id,
    service: 'allocator',
    address: SIMULATED_HOST,
    zone: config.zone,
    version: SIMULATED_VERSION,
    started,
  };
}

/** `/allocators/<id>/status/<instance>` for `spec` in `state`. */
export function statusOf(
  spec: InstanceSpec,
  state: InstanceState,
  ports: Record<string, number>,
  now: number,
): InstanceStatus {
  return {
    schema_version: SCHEMA_VERSION,
    instance_id: spec.instance_id,
    deployment_id: spec.deployment_id,
    allocator_id: spec.allocator_id,
    state,
    healthy: state === 'running',
    host: SIMULATED_HOST,
    ports: { ...ports },
    generation: spec.generation,
    restarts: 0,
    updated: new Date(now).toISOString(),
  };
}

/** The `maintenance` flag of whatever is stored, read leniently (anything but `true` is false). */
export function maintenanceOf(current: unknown): boolean {
  return (
    typeof current === 'object' &&
    current !== null &&
    (current as { maintenance?: unknown }).maintenance === true
  );
}
