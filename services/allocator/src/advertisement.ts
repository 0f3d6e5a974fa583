/**
 * The allocator's advertisement `/allocators/<id>` (capacity, zone, tags), written with a
 * versioned read-modify-write that keeps the operator's `maintenance` flag, plus its ephemeral
 * nodes `/allocators/<id>/live` and `/services/allocator/<id>` (re-created by the session after
 * expiry).
 */
import {
  type AllocatorAdvertisement,
  type ServiceRegistration,
  assertDocument,
  paths,
  serializeDocument,
} from '@wharf/model';
import { type ZkSession, updateJson } from '@wharf/zk';
import { type CompiledAllocatorOptions } from './options';

/** A registered ephemeral node (the subset of the zk registration the allocator uses). */
export interface Registration {
  close(): Promise<void>;
}

/** The advertisement for `config`, keeping `maintenance` from the current document. */
export function advertisementDocument(
  config: CompiledAllocatorOptions,
  maintenance: boolean,
  started: string,
): AllocatorAdvertisement {
  return {
    schema_version: 1,
    id: config.id,
    zone: config.zone,
    host: config.host,
    capacity: { memory_mb: config.capacityMb, cpus: config.cpus },
    port_range: { from: config.portRange.from, to: config.portRange.to },
    tags: { ...config.tags },
    maintenance,
    runtime: config.runtimeKind,
    version: config.version,
    started,
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

/** Writes the advertisement (versioned RMW, preserving `maintenance`); returns what was stored. */
export async function writeAdvertisement(
  zk: ZkSession,
  config: CompiledAllocatorOptions,
  started: string,
): Promise<AllocatorAdvertisement> {
  await zk.mkdirp(paths.allocators());
  const result = await updateJson<unknown>(
    zk,
    paths.allocator(config.id),
    (current) =>
      assertDocument(
        'allocator-advertisement',
        advertisementDocument(config, maintenanceOf(current), started),
      ),
    { createIfMissing: true },
  );
  return result.value as AllocatorAdvertisement;
}

/** The service registration written to `/services/allocator/<id>`. */
export function serviceRegistration(config: CompiledAllocatorOptions, started: string): ServiceRegistration {
  return {
    schema_version: 1,
    id: config.id,
    service: 'allocator',
    // Where the metrics are served (Prometheus service discovery reads it), not the instances' host.
    address: config.metricsHost ?? config.host,
    ...(config.metricsPort ? { port: config.metricsPort } : {}),
    zone: config.zone,
    version: config.version,
    started,
  };
}

/** Registers the live node and the service registration; both follow the session. */
export async function registerLiveness(
  zk: ZkSession,
  config: CompiledAllocatorOptions,
  started: string,
): Promise<Registration[]> {
  const live = await zk.registerEphemeral(paths.allocatorLive(config.id), '');
  try {
    const service = await zk.registerEphemeral(
      paths.serviceLive('allocator', config.id),
      serializeDocument('service-registration', serviceRegistration(config, started)),
    );
    return [live, service];
  } catch (err) {
    await live.close();
    throw err;
  }
}
