/**
 * Plans with a `restore` block: their steps. Pure.
 *
 * ```
 *  _restore: validate-plan-safety ─▶ restore-snapshot ─▶ plan-completed
 *  rebuild:  validate-plan-safety ─▶ … ─▶ wait-until-running ─▶ restore-snapshot ─▶ update-routing ─▶ …
 * ```
 *
 * A rebuild is the recovery of a resource whose every member was lost with its host (a
 * single-member deployment): the recovery plan names its latest snapshot, the replacement starts
 * as a new cluster, and the snapshot is restored into it before it is routed.
 *
 * The restore is logical (the stack pack deletes the cluster's keys and writes the snapshot's
 * through the members' own API), so the instances keep running, keep their membership and stay
 * routed: nothing is created, removed, stopped or moved. A restore plan that would also change
 * instances is refused, like a mixed action plan.
 */
import { STEP_IDS, type PlanDocument, type StepId } from '@wharf/model';
import { type ActionBuckets, type ActionStepsResult } from './actions';
import { type ResourceChanges } from './changes';
import { type OrderedSteps } from './strategies';

/** The steps of a restore plan; `none` for a plan without a `restore` block. */
export function restoreSteps(
  pending: Pick<PlanDocument, 'restore' | 'stopped'>,
  resources: readonly ActionBuckets[],
): ActionStepsResult {
  if (pending.restore === undefined) return { kind: 'none' };
  const changes = resources.some(
    (r) =>
      r.create.length > 0 || r.remove.length > 0 || (r.stop ?? []).length > 0 || (r.resume ?? []).length > 0,
  );
  if (changes || pending.stopped?.all === true) {
    return {
      kind: 'mixed',
      message: 'a restore plan cannot also create, remove, stop or start instances, or run shut down',
    };
  }
  const steps: StepId[] = [STEP_IDS.validatePlanSafety, STEP_IDS.restoreSnapshot, STEP_IDS.planCompleted];
  return { kind: 'steps', steps };
}

/** How old restored data is, in whole seconds (never negative: clocks of two hosts may differ). */
export function dataAgeSeconds(snapshotCreated: string, now: number): number {
  return Math.max(0, Math.round((now - Date.parse(snapshotCreated)) / 1000));
}

/** A recovery with a snapshot whose resources start anew: every one that creates has no member left. */
export function isRebuild(
  pending: Pick<PlanDocument, 'restore' | 'source'>,
  resources: readonly Pick<ResourceChanges, 'create' | 'cluster'>[],
): boolean {
  if (pending.restore === undefined || pending.source.action !== 'recover') return false;
  const creating = resources.filter((r) => r.create.length > 0);
  return creating.length > 0 && creating.every((r) => r.cluster.state === 'new');
}

/** The strategy's steps with `restore-snapshot` after the new members run, before they are routed. */
export function withRestoreAfterStart(ordered: OrderedSteps): OrderedSteps {
  const at = ordered.steps.lastIndexOf(STEP_IDS.waitUntilRunning);
  if (at < 0) return ordered;
  const steps = [...ordered.steps.slice(0, at + 1), STEP_IDS.restoreSnapshot, ...ordered.steps.slice(at + 1)];
  const groups = ordered.step_groups;
  const stepGroups = groups && [...groups.slice(0, at + 1), groups[at] ?? 0, ...groups.slice(at + 1)];
  return { ...ordered, steps, ...(stepGroups ? { step_groups: stepGroups } : {}) };
}
