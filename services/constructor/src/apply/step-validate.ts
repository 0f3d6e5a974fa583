/**
 * `validate-plan-safety`: reads the current plan and the instance configurations fresh, takes the
 * deployment's specs and status ids from the leader's index (cache plus the ledger of its own
 * writes not yet echoed: what this leader created or deleted is seen at once, see
 * `io/observed-index.ts`), and records the change set decided in `core/validate-plan.ts`.
 */
import { type StackKind } from '@wharf/model';
import { withSnapshotBeforeChange } from '../core/snapshot-before-change';
import { type StepOutcome } from '../core/step-log';
import {
  changeSummary,
  checkChanges,
  checkPlanDeployment,
  clusterTokens,
  computeChanges,
  configurationIds,
} from '../core/validate-plan';
import { type AttemptContext } from './attempt-context';
import { configurationsFor, readCurrentPlanNode } from './reads';

/** Computes and records the change set; rejects unsupported strategies and unknown configurations. */
export async function validatePlanSafety(ctx: AttemptContext): Promise<StepOutcome> {
  const { zk, stacks, index } = ctx.deps;
  const d = ctx.deploymentId;
  checkPlanDeployment(ctx.state.plan, d);
  const node = await readCurrentPlanNode(zk, d);
  const current = node?.value ?? null;
  ctx.currentPlanVersion = node?.version ?? null;
  const specs = index.specsOfDeployment(d);
  const statusIds = index.statusIdsOfDeployment(d);
  const changes = computeChanges({ deploymentId: d, plan: ctx.state.plan, current, specs, statusIds });
  const configurations = await configurationsFor(
    zk,
    configurationIds(changes),
    ctx.deps.cachedConfigurations,
  );
  checkChanges(changes, (kind) => Boolean(stacks(kind)), configurations);
  ctx.configurations = configurations;
  // A plan that removes instances snapshots their data first (skipped for stacks without snapshots).
  const canSnapshot = (kind: StackKind) => Boolean(stacks(kind)?.takeSnapshot);
  ctx.state.changes = withSnapshotBeforeChange(ctx.state.plan, changes, canSnapshot);
  ctx.state.tokens = clusterTokens(changes, d, ctx.attempt.plan_attempt_id);
  // Saved with the next save (allocate-instances saves its placements before any write): a
  // crash before it re-runs this step, which only reads.
  ctx.note('change set computed', changeSummary(ctx.state.changes));
  return 'success';
}
