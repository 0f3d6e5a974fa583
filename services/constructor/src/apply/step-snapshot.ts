/**
 * `snapshot-before-change` (`core/snapshot-before-change.ts`): before a plan removes instances,
 * a snapshot of each affected resource's data goes into the installation's repository, taken from
 * a running, healthy member, written and verified by the stack pack, then recorded under
 * `/snapshots/<deployment>/<id>` with `trigger: "before-change"` — the same record the api writes,
 * so it is listed by `GET .../snapshots` and usable by `_restore` and `restore_from`.
 *
 * Best effort: no running instance, no repository, or a snapshot that fails is written to the
 * step log and the plan goes on (a recovery from a lost host must not wait on a snapshot). A
 * constructor that dies mid-step takes the snapshot again when it resumes (one extra snapshot).
 */
import { isWharfError, newSnapshotId, paths, snapshotRecordPath, type SnapshotRecord } from '@wharf/model';
import { configuredRepository, type SnapshotRepository } from '@wharf/stacks';
import { failureMessageOf } from '../core/failure';
import { memberEndpoint } from '../core/instances';
import { snapshottedResources } from '../core/snapshot-before-change';
import { type ResourceChanges } from '../core/changes';
import { iso, type StepOutcome } from '../core/step-log';
import { documentsOf } from '../io/documents';
import { type AttemptContext } from './attempt-context';

/** The repository `/platform/config` names; `WHARF_SNAPSHOT_UNSUPPORTED` when none. */
export async function readSnapshotRepository(ctx: AttemptContext): Promise<SnapshotRepository> {
  const config = await documentsOf(ctx.deps.zk, ctx.deps.logger).read(
    'platform-config',
    paths.platformConfig(),
  );
  return configuredRepository(config?.value);
}

/** Takes and records one snapshot per resource that loses instances. */
export async function snapshotBeforeChange(ctx: AttemptContext): Promise<StepOutcome> {
  const canSnapshot = (kind: ResourceChanges['kind']) => Boolean(ctx.deps.stacks(kind)?.takeSnapshot);
  const resources = snapshottedResources(ctx.changes, canSnapshot);
  if (resources.length === 0) {
    await ctx.log('snapshot skipped: no stack of this plan has snapshots');
    return 'success';
  }
  let repository: SnapshotRepository;
  try {
    repository = await readSnapshotRepository(ctx);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_SNAPSHOT_UNSUPPORTED', 'WHARF_VALIDATION')) throw err;
    await ctx.log('snapshot skipped: no snapshot repository', { error: failureMessageOf(err) });
    return 'success';
  }
  for (const r of resources) await snapshotResource(ctx, r, repository);
  return 'success';
}

async function snapshotResource(
  ctx: AttemptContext,
  r: ResourceChanges,
  repository: SnapshotRepository,
): Promise<void> {
  await ctx.checkpoint();
  const stack = ctx.deps.stacks(r.kind)!;
  const statuses = ctx.observed().statuses;
  const members = [...r.keep, ...r.remove].flatMap((i) => {
    const status = statuses.get(i.instance_id);
    return status?.state === 'running' && status.healthy ? [memberEndpoint(i.instance_id, status)] : [];
  });
  if (members.length === 0) {
    await ctx.log('snapshot skipped: no running instance', { ref_id: r.ref_id });
    return;
  }
  const snapshotId = newSnapshotId(ctx.now());
  for (const member of members) {
    try {
      const verified = await stack.takeSnapshot!({
        deploymentId: ctx.deploymentId,
        snapshotId,
        member,
        repository,
      });
      await record(ctx, r, {
        id: snapshotId,
        instance: member.name,
        repository: repository.location,
        ...verified,
      });
      await ctx.log('snapshot taken', {
        ref_id: r.ref_id,
        snapshot: snapshotId,
        instance: member.name,
        bytes: verified.bytes,
      });
      return;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      await repository.remove(ctx.deploymentId, snapshotId);
      ctx.logger.warn('snapshot before change failed', { instance: member.name, err });
    }
  }
  await ctx.log('snapshot failed on every instance; going on without it', { ref_id: r.ref_id });
}

async function record(
  ctx: AttemptContext,
  r: ResourceChanges,
  taken: { id: string; instance: string; repository: string; bytes: number; sha256: string },
): Promise<void> {
  const deployment = await documentsOf(ctx.deps.zk, ctx.deps.logger).read(
    'deployment',
    paths.deployment(ctx.deploymentId),
  );
  const organization = deployment?.value.organization_id;
  const doc: SnapshotRecord = {
    schema_version: 1,
    id: taken.id,
    deployment_id: ctx.deploymentId,
    kind: r.kind,
    status: 'success',
    created: iso(ctx.now()),
    bytes: taken.bytes,
    sha256: taken.sha256,
    instance_id: taken.instance,
    repository: taken.repository,
    ...(organization === undefined ? {} : { organization_id: organization }),
    trigger: 'before-change',
  };
  await ctx.deps.zk.mkdirp(snapshotRecordPath(ctx.deploymentId));
  await ctx.deps.zk.create(snapshotRecordPath(ctx.deploymentId, taken.id), JSON.stringify(doc));
}
