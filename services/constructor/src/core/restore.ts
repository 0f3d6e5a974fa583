/**
 * `_restore` of a snapshot in place: the steps of a plan with a `restore` block. Pure.
 *
 * ```
 *  restore: validate-plan-safety ─▶ restore-snapshot ─▶ plan-completed
 * ```
 *
 * The restore is logical (the stack pack deletes the cluster's keys and writes the snapshot's
 * through the members' own API), so the instances keep running, keep their membership and stay
 * routed: nothing is created, removed, stopped or moved. A restore plan that would also change
 * instances is refused, like a mixed action plan.
 */
import { STEP_IDS, type PlanDocument, type StepId } from '@wharf/model';
import { type ActionBuckets, type ActionStepsResult } from './actions';

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
