/**
 * Instance spec writes: idempotent creation of held specs in one transaction, hold release
 * (versioned), deletion. What to write is decided in `core/allocate.ts`.
 */
import { parseDocument, paths, serializeDocument, type InstanceSpec } from '@wharf/model';
import { type SpecCluster } from '../core/allocate';
import { deleteIfExists } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

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
