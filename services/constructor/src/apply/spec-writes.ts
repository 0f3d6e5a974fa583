/**
 * Instance spec writes: idempotent creation of held specs in one transaction, hold release
 * (versioned), deletion. What to write is decided in `core/allocate.ts`.
 */
import { WharfError, isWharfError, paths, type InstanceSpec } from '@wharf/model';
import { type SpecCluster } from '../core/allocate';
import { documentsOf } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

/**
 * Creates the specs that do not exist yet, all in one transaction. Returns the ones created (at
 * znode version 0).
 * The existence checks are pipelined (one round trip of latency for all of them, not one each)
 * and the transaction is only sent for specs known to be missing, so it fails only on a real
 * conflict.
 */
export async function createSpecs(
  zk: ZkPort,
  specs: readonly InstanceSpec[],
  /**
   * True when none of `specs` is in the leader's index (cache and ledger) and their allocators
   * are: the transaction is sent at once, without the existence checks, and only when it fails
   * (a spec there after all, a missing parent) are they made.
   */
  unseen = false,
): Promise<readonly InstanceSpec[]> {
  if (unseen && specs.length > 0) {
    try {
      await createAll(zk, specs);
      return specs;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED')) throw err;
    }
  }
  const found = await Promise.all(
    specs.map((spec) => zk.exists(paths.instanceSpec(spec.allocator_id, spec.instance_id))),
  );
  const missing = specs.filter((_, i) => found[i] === null);
  if (missing.length === 0) return [];
  const allocators = [...new Set(missing.map((s) => s.allocator_id))];
  const parents = await Promise.all(allocators.map((a) => zk.exists(paths.allocatorInstances(a))));
  for (const [i, allocator] of allocators.entries()) {
    // The allocator creates its own subtree; only add the parent if the allocator itself exists.
    if (parents[i] === null && (await zk.exists(paths.allocator(allocator))) !== null)
      await zk.mkdirp(paths.allocatorInstances(allocator));
  }
  await createAll(zk, missing);
  return missing;
}

async function createAll(zk: ZkPort, specs: readonly InstanceSpec[]): Promise<void> {
  const tx = documentsOf(zk).transaction();
  for (const spec of specs)
    tx.create('instance-spec', paths.instanceSpec(spec.allocator_id, spec.instance_id), spec);
  await tx.commit();
}

/**
 * Releases a held spec: sets the cluster block, `hold: false` and the next generation (versioned).
 * Returns the spec as released; a spec already released is returned unchanged. `created`: the
 * spec as this process created it (version 0), when it did: written over at version 0 without
 * reading it first (one round trip instead of two, on the path to a new cluster's first start);
 * when the node changed since (version ≠ 0) or is gone, read and decided as without it.
 */
export async function releaseSpec(
  zk: ZkPort,
  allocatorId: string,
  instanceId: string,
  cluster: SpecCluster,
  created?: InstanceSpec,
): Promise<InstanceSpec> {
  const release = (spec: InstanceSpec): InstanceSpec | undefined =>
    spec.hold ? { ...spec, hold: false, cluster, generation: spec.generation + 1 } : undefined;
  const next = created && release(created);
  if (next) {
    try {
      await documentsOf(zk).set('instance-spec', paths.instanceSpec(allocatorId, instanceId), next, 0);
      return next;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE')) throw err;
    }
  }
  return updateSpec(zk, allocatorId, instanceId, release);
}

/** Where a deleted spec is recorded before the cache sees it go (`ObservedIndex`). */
export interface DeletionLedger {
  recordDeleted(instanceId: string): void;
}

/** Deletes a spec if it exists, then records it in the ledger (counted until then: never double-booked). */
export async function deleteSpec(
  zk: ZkPort,
  ledger: DeletionLedger,
  allocatorId: string,
  instanceId: string,
): Promise<boolean> {
  const deleted = await documentsOf(zk).delete(paths.instanceSpec(allocatorId, instanceId));
  ledger.recordDeleted(instanceId);
  return deleted;
}

/**
 * Sets a spec's `stopped` flag (`_stop`/`_shutdown`: true, `_start`: false) with the next
 * generation (versioned). Returns the spec as written; one already in that state is returned as is.
 */
export async function setSpecStopped(
  zk: ZkPort,
  allocatorId: string,
  instanceId: string,
  stopped: boolean,
): Promise<InstanceSpec> {
  return updateSpec(zk, allocatorId, instanceId, (spec) => {
    if ((spec.stopped === true) === stopped) return undefined;
    const { stopped: _was, ...rest } = spec;
    return { ...rest, ...(stopped ? { stopped: true } : {}), generation: spec.generation + 1 };
  });
}

/**
 * Read-modify-write of one spec, conditional on the version read: `change` returns the next spec,
 * or undefined to leave it as it is (then the spec read is returned). A missing spec is an error.
 */
async function updateSpec(
  zk: ZkPort,
  allocatorId: string,
  instanceId: string,
  change: (spec: InstanceSpec) => InstanceSpec | undefined,
): Promise<InstanceSpec> {
  const path = paths.instanceSpec(allocatorId, instanceId);
  const docs = documentsOf(zk);
  const node = await docs.read('instance-spec', path);
  if (node === undefined)
    throw new WharfError('WHARF_ZK_NO_NODE', 'instance spec missing', { details: { path } });
  const next = change(node.value);
  if (next === undefined) return node.value;
  await docs.set('instance-spec', path, next, node.version);
  return next;
}
