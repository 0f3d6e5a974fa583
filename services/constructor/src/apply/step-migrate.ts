/**
 * `migrate-data`: after new members joined a running cluster, and before any old member leaves,
 * waits for each new member to hold the cluster's data (the stack's `migrateData` hook: etcd's
 * applied raft index reaching the leader's). One member at a time; a stack without the hook
 * (http) has nothing to migrate. Idempotent: a resumed step asks again, and a caught-up member
 * answers at once.
 */
import { type MigrationReport } from '../stack-port';
import { memberEndpoint } from '../core/instances';
import { migrationPeers, needsMigration } from '../core/membership';
import { type ResourceChanges } from '../core/changes';
import { type StepOutcome } from '../core/step-log';
import { type AttemptContext } from './attempt-context';
import { runHook } from './hooks';

/** Waits until every member that joined an existing cluster caught up with it. */
export async function migrateData(ctx: AttemptContext): Promise<StepOutcome> {
  for (const r of ctx.changes.resources) {
    if (!needsMigration(r, Boolean(ctx.deps.stacks(r.kind)?.migrateData))) {
      if (r.create.length > 0) await ctx.log('nothing to migrate', { ref_id: r.ref_id });
      continue;
    }
    for (const c of r.create) await migrateOne(ctx, r, c.instance_id);
  }
  return 'success';
}

async function migrateOne(ctx: AttemptContext, r: ResourceChanges, instanceId: string): Promise<void> {
  await ctx.checkpoint();
  const pack = ctx.deps.stacks(r.kind)!;
  const statuses = ctx.observed().statuses;
  const status = statuses.get(instanceId);
  if (!status) throw new Error(`no status for new instance ${instanceId} after wait-until-running`);
  const started = ctx.now();
  let report: MigrationReport | undefined;
  await runHook(ctx, 'migrateData', async () => {
    report = await pack.migrateData!({
      deploymentId: ctx.deploymentId,
      refId: r.ref_id,
      members: migrationPeers(r, instanceId, statuses),
      joined: memberEndpoint(instanceId, status),
      signal: ctx.signal,
    });
  });
  ctx.deps.metrics.migrationSeconds.observe((ctx.now() - started) / 1000);
  await ctx.log('member caught up', {
    instance: instanceId,
    target_index: report?.targetIndex,
    reached_index: report?.reachedIndex,
    bytes: report?.bytes,
    duration_ms: ctx.now() - started,
  });
}
