/**
 * Instance specs in ZooKeeper: fresh reads (placement and change sets must not be computed from a
 * lagging cache), idempotent creation in one transaction, hold release, deletion.
 */
import {
  DEFAULT_INSTANCE_CONFIGURATIONS,
  SCHEMA_VERSION,
  isWharfError,
  parseDocument,
  paths,
  serializeDocument,
  type InstanceConfiguration,
  type InstanceSpec,
  type InstanceStatus,
  type MemberEndpoint,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type NewInstance } from '../core/changes';
import { type Placement } from '../core/place';
import { iso } from '../core/step-log';
import { childrenOrNone, deleteIfExists, readDocument } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

/** The cluster block of a spec. */
export type SpecCluster = InstanceSpec['cluster'];

/** Specs read straight from ZooKeeper, and instance ids that still have a status. */
export interface FreshSpecs {
  specs: InstanceSpec[];
  statusIds: string[];
}

/**
 * Allocators whose specs {@link readSpecs} reads at once. The reads were one round trip after
 * another — O(allocators + specs) sequential round trips per call, twice per plan and once under
 * the placement lock — which made placement time grow with the fleet (bench/fleet: ~1 s per plan
 * at 500 allocators). Pipelined on the one session, 32 in flight (the tree cache's load
 * concurrency) keeps the server's queue short while hiding the round-trip latency.
 */
export const READ_SPECS_CONCURRENCY = 32;

/** Reads every spec (optionally only instance ids accepted by `want`) and every status id. */
export async function readSpecs(
  zk: ZkPort,
  logger: Logger,
  want: (instanceId: string) => boolean = () => true,
): Promise<FreshSpecs> {
  const allocators = await childrenOrNone(zk, paths.allocators());
  const read: FreshSpecs[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < allocators.length; i = next++) {
      read[i] = await readAllocatorSpecs(zk, logger, allocators[i] as string, want);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_SPECS_CONCURRENCY, allocators.length) }, worker));
  return { specs: read.flatMap((r) => r.specs), statusIds: read.flatMap((r) => r.statusIds) };
}

/** One allocator's specs (read in parallel) and, after them, its status ids. */
async function readAllocatorSpecs(
  zk: ZkPort,
  logger: Logger,
  allocator: string,
  want: (instanceId: string) => boolean,
): Promise<FreshSpecs> {
  const names = (await childrenOrNone(zk, paths.allocatorInstances(allocator))).filter(want);
  const docs = await Promise.all(
    names.map(async (name) => {
      try {
        return (await readDocument(zk, 'instance-spec', paths.instanceSpec(allocator, name)))?.value;
      } catch (err) {
        if (!isWharfError(err, 'WHARF_VALIDATION', 'WHARF_INVALID_ID')) throw err;
        logger.warn('invalid instance spec skipped', { allocator, instance: name, err });
        return undefined;
      }
    }),
  );
  const statusIds = (await childrenOrNone(zk, paths.allocatorStatuses(allocator))).filter(want);
  return { specs: docs.filter((d): d is InstanceSpec => d !== undefined), statusIds };
}

/**
 * Instance configuration ids as the plan schema allows them (`etcd.default`). `paths.instanceConfiguration`
 * checks them against the DNS-label id pattern, which has no dots, so the path is built here.
 */
const INSTANCE_CONFIGURATION_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The stored instance configuration, else the built-in one, else undefined. */
export async function readInstanceConfiguration(
  zk: ZkPort,
  id: string,
): Promise<InstanceConfiguration | undefined> {
  if (!INSTANCE_CONFIGURATION_ID.test(id)) return undefined;
  const stored = await readDocument(zk, 'instance-configuration', `${paths.instanceConfigurations()}/${id}`);
  return stored?.value ?? DEFAULT_INSTANCE_CONFIGURATIONS[id];
}

/** A new, held spec for a placed instance. */
export function buildSpec(
  instance: NewInstance,
  placement: Placement,
  cluster: SpecCluster,
  attemptId: string,
  deploymentId: string,
  nowMs: number,
  storageMultiplier?: number,
): InstanceSpec {
  return {
    schema_version: SCHEMA_VERSION,
    instance_id: instance.instance_id,
    deployment_id: deploymentId,
    ref_id: instance.ref_id,
    topology_id: instance.topology_id,
    stack: instance.kind,
    version: instance.version,
    allocator_id: placement.allocator_id,
    zone: placement.zone,
    memory_mb: instance.memory_mb,
    ...(storageMultiplier !== undefined
      ? { disk_mb: Math.round(instance.memory_mb * storageMultiplier) }
      : {}),
    ...(instance.settings ? { settings: instance.settings } : {}),
    hold: true,
    cluster,
    plan_attempt_id: attemptId,
    generation: 1,
    created: iso(nowMs),
  };
}

/** Creates the specs that do not exist yet, all in one transaction. Returns how many were created. */
export async function createSpecs(zk: ZkPort, specs: readonly InstanceSpec[]): Promise<number> {
  const missing: InstanceSpec[] = [];
  for (const spec of specs) {
    if ((await zk.exists(paths.instanceSpec(spec.allocator_id, spec.instance_id))) === null)
      missing.push(spec);
  }
  if (missing.length === 0) return 0;
  for (const allocator of new Set(missing.map((s) => s.allocator_id))) {
    // The allocator creates its own subtree; only add the parent if the allocator itself exists.
    if ((await zk.exists(paths.allocator(allocator))) !== null)
      await zk.mkdirp(paths.allocatorInstances(allocator));
  }
  const tx = zk.transaction();
  for (const spec of missing) {
    tx.create(
      paths.instanceSpec(spec.allocator_id, spec.instance_id),
      serializeDocument('instance-spec', spec),
    );
  }
  await tx.commit();
  return missing.length;
}

/**
 * Releases a held spec: sets the cluster block, `hold: false` and the next generation (versioned).
 * Returns the spec as released; a spec already released is returned unchanged.
 */
export async function releaseSpec(
  zk: ZkPort,
  allocatorId: string,
  instanceId: string,
  cluster: SpecCluster,
): Promise<InstanceSpec> {
  const path = paths.instanceSpec(allocatorId, instanceId);
  const node = await zk.get(path);
  const spec = parseDocument('instance-spec', node.data);
  if (!spec.hold) return spec;
  const released: InstanceSpec = { ...spec, hold: false, cluster, generation: spec.generation + 1 };
  await zk.set(path, serializeDocument('instance-spec', released), node.stat.version);
  return released;
}

/** Deletes a spec if it exists. */
export async function deleteSpec(zk: ZkPort, allocatorId: string, instanceId: string): Promise<boolean> {
  return deleteIfExists(zk, paths.instanceSpec(allocatorId, instanceId));
}

/** A cluster member as stack packs see it, from the instance's status. */
export function memberEndpoint(instanceId: string, status: InstanceStatus): MemberEndpoint {
  return { name: instanceId, host: status.host, ports: status.ports };
}

/** True when the allocator runs the instance, healthy, at (at least) `generation`. */
export function isRunningAt(status: InstanceStatus | undefined, generation: number): boolean {
  return (
    status !== undefined && status.state === 'running' && status.healthy && status.generation >= generation
  );
}
