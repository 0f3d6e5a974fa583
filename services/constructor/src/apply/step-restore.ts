/**
 * `restore-snapshot` (`core/restore.ts`): replaces the data of the deployment's running cluster
 * with that of one of its snapshots (`_restore`), or fills a cluster started anew after its every
 * member was lost with its host (a recovery's rebuild). The file comes from the installation's snapshot repository
 * (`/platform/config`), is verified against the SHA-256 of its record before anything is deleted,
 * then the stack pack deletes the cluster's keys and writes the snapshot's (in place: with the
 * route closed, `apply/drain.ts` `closeRouteForRestore`, so clients see a 503, never a partly
 * restored store, until every member is healthy on the restored data). A missing or damaged
 * file fails the attempt with nothing written; a stack write that fails is retried (the restore is
 * idempotent) until the plan's deadline. The step log says which snapshot and how old its data is.
 */
import { FAILURE_TYPES, isWharfError, type PlanRestore } from '@wharf/model';
import { attemptFailure, failureMessageOf } from '../core/failure';
import { memberEndpoint } from '../core/instances';
import { dataAgeSeconds } from '../core/restore';
import { type ResourceChanges } from '../core/changes';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { closeRouteForRestore, reopenRoute } from './drain';
import { runHook } from './hooks';
import { isInterruption } from './interrupt';
import { readSnapshotRepository } from './step-snapshot';

/** Restores `ctx.changes.restore` into every resource of the deployment. */
export async function restoreSnapshot(ctx: AttemptContext): Promise<StepOutcome> {
  const restore = ctx.changes.restore;
  if (restore === undefined) return 'success';
  const file = await snapshotFile(ctx, restore);
  // A rebuild restores only into the resources started anew, not routed yet; `_restore` into
  // every resource, with the route closed meanwhile.
  const rebuilt = ctx.changes.resources.filter((r) => r.create.length > 0 && r.cluster.state === 'new');
  if (rebuilt.length > 0) {
    for (const r of rebuilt) await restoreResource(ctx, r, restore, file);
    return 'success';
  }
  await closeRouteForRestore(ctx);
  try {
    for (const r of ctx.changes.resources) await restoreResource(ctx, r, restore, file);
  } catch (err) {
    // A damaged file (or a stack without snapshots) is refused before any delete: the data is
    // intact, so the route reopens. Any other failure may leave the data half written: the route
    // stays `restoring` (clients get a 503, never a partial store) until a `_restore` succeeds.
    if (isWharfError(err, 'WHARF_SNAPSHOT_CORRUPT', 'WHARF_SNAPSHOT_UNSUPPORTED')) await reopenRoute(ctx);
    else if (!isInterruption(err))
      await ctx.log('restore failed: the route stays closed until a restore succeeds');
    throw err;
  }
  await reopenRoute(ctx);
  return 'success';
}

async function snapshotFile(ctx: AttemptContext, restore: PlanRestore): Promise<string> {
  let file: string | undefined;
  try {
    file = await (await readSnapshotRepository(ctx)).localCopy(ctx.deploymentId, restore.snapshot);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_SNAPSHOT_UNSUPPORTED', 'WHARF_VALIDATION')) throw err;
    throw invalidSnapshot(
      `no snapshot repository: ${failureMessageOf(err)}`,
      err,
      'WHARF_SNAPSHOT_UNSUPPORTED',
    );
  }
  if (file === undefined)
    throw invalidSnapshot(
      `snapshot ${restore.snapshot} is missing from the repository`,
      undefined,
      'WHARF_NOT_FOUND',
    );
  return file;
}

async function restoreResource(
  ctx: AttemptContext,
  r: ResourceChanges,
  restore: PlanRestore,
  file: string,
): Promise<void> {
  const stack = ctx.deps.stacks(r.kind);
  if (stack?.restoreSnapshot === undefined)
    throw invalidSnapshot(`${r.kind} resources have no snapshots`, undefined, 'WHARF_SNAPSHOT_UNSUPPORTED');
  const age = dataAgeSeconds(restore.created, ctx.now());
  await ctx.log('restoring data from snapshot', {
    ref_id: r.ref_id,
    snapshot: restore.snapshot,
    snapshot_created: restore.created,
    data_age_seconds: age,
  });
  let keys = 0;
  let corrupt: unknown;
  // Retried until the plan's deadline (checkpoint): the restore is idempotent.
  await runHook(ctx, 'restoreSnapshot', async () => {
    try {
      const members = runningMembers(ctx, r);
      if (members.length === 0) throw new Error('no running, healthy instance to restore into');
      const input = {
        deploymentId: ctx.deploymentId,
        refId: r.ref_id,
        members,
        file,
        sha256: restore.sha256,
      };
      keys = (await stack.restoreSnapshot!({ ...input, signal: ctx.signal })).keys;
    } catch (err) {
      // A damaged file is not worth retrying (and was refused before any delete).
      if (!isWharfError(err, 'WHARF_SNAPSHOT_CORRUPT')) throw err;
      corrupt = err;
    }
  });
  if (corrupt !== undefined) throw invalidSnapshot(failureMessageOf(corrupt), corrupt);
  await ctx.log('data restored from snapshot', {
    ref_id: r.ref_id,
    snapshot: restore.snapshot,
    keys,
    data_age_seconds: age,
  });
}

/** The resource's kept and new instances that run healthy, as endpoints. */
function runningMembers(ctx: AttemptContext, r: ResourceChanges) {
  const statuses = ctx.observed().statuses;
  return [...r.keep, ...r.create].flatMap((k) => {
    const status = statuses.get(k.instance_id);
    return status?.state === 'running' && status.healthy ? [memberEndpoint(k.instance_id, status)] : [];
  });
}

/** Fails the attempt as an invalid plan (nothing was deleted yet); `code` says why. */
function invalidSnapshot(
  message: string,
  cause?: unknown,
  code:
    'WHARF_SNAPSHOT_CORRUPT' | 'WHARF_SNAPSHOT_UNSUPPORTED' | 'WHARF_NOT_FOUND' = 'WHARF_SNAPSHOT_CORRUPT',
) {
  return attemptFailure(code, FAILURE_TYPES.invalidPlan, message, { field: 'snapshot' }, cause);
}
