/**
 * The newest usable snapshot of a deployment, for the recovery of a resource whose every member
 * was lost (`core/moves.ts` `rebuild`): its record under `/snapshots/<deployment>` is readable
 * and its file is in the installation's repository. Undefined when there is none (or no
 * repository): the deployment then stays held, since a rebuild without data would look like a
 * recovery and serve an empty cluster.
 */
import { isSnapshotRecord, isWharfError, paths, snapshotRecordPath, type PlanRestore } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { configuredRepository } from '@wharf/stacks';
import { documentsOf } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

/** The newest snapshot of `deploymentId` whose file exists, as a plan's `restore` block. */
export async function latestSnapshot(
  zk: ZkPort,
  logger: Logger,
  deploymentId: string,
): Promise<PlanRestore | undefined> {
  let names: string[];
  try {
    names = await zk.children(snapshotRecordPath(deploymentId));
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
    throw err;
  }
  const records = [];
  for (const name of names) {
    try {
      const value: unknown = JSON.parse(
        (await zk.get(snapshotRecordPath(deploymentId, name))).data.toString('utf8'),
      );
      if (isSnapshotRecord(value) && value.deployment_id === deploymentId) records.push(value);
    } catch (err) {
      logger.warn('unreadable snapshot record skipped', { deployment: deploymentId, snapshot: name, err });
    }
  }
  records.sort((a, b) =>
    a.created === b.created ? b.id.localeCompare(a.id) : b.created.localeCompare(a.created),
  );
  let repository;
  try {
    const config = await documentsOf(zk, logger).read('platform-config', paths.platformConfig());
    repository = configuredRepository(config?.value);
  } catch (err) {
    if (isWharfError(err, 'WHARF_SNAPSHOT_UNSUPPORTED', 'WHARF_VALIDATION')) return undefined;
    throw err;
  }
  for (const r of records) {
    if ((await repository.localCopy(deploymentId, r.id)) !== undefined)
      return { snapshot: r.id, sha256: r.sha256, created: r.created };
  }
  return undefined;
}
