/**
 * Instance actions (`_stop`/`_start` of listed instances, `_shutdown`/`_start` of a deployment):
 * which kept instances an attempt stops or resumes, and the steps that do it. Pure.
 *
 * A stopped instance keeps its spec (`stopped: true`), its ports and its data; the allocator stops
 * its process as it does for a held spec. It stays a member of its cluster (an etcd member that is
 * down, not removed), so resuming it needs no join: it starts on its own data and catches up.
 *
 * ```
 *  stop:   validate-plan-safety ─▶ update-routing (drain them) ─▶ stop-instances ─▶ plan-completed
 *  resume: validate-plan-safety ─▶ resume-instances (running + healthy) ─▶ update-routing ─▶ plan-completed
 * ```
 *
 * An action plan changes nothing else: a plan that both stops/resumes instances and creates or
 * removes some is refused (the api never writes one: it refuses actions while a plan is pending).
 */
import { STEP_IDS, type InstanceSpec, type PlanDocument, type StepId } from '@wharf/model';
import { type InstanceRef } from './changes';

/** What an action does to one resource's kept instances. */
export interface InstanceActions {
  /** Running now, stopped by this attempt. */
  stop: InstanceRef[];
  /** Stopped now, started again by this attempt. */
  resume: InstanceRef[];
  /** Ids stopped once the attempt is done (already stopped ones included): never routed. */
  stopped: string[];
}

/** True when `plan` wants `instanceId` stopped (`stopped.all`, or listed). */
export function wantsStopped(plan: Pick<PlanDocument, 'stopped'>, instanceId: string): boolean {
  const stopped = plan.stopped;
  return stopped?.all === true || (stopped?.instances ?? []).includes(instanceId);
}

/** The stop/resume buckets of one resource's kept instances, comparing the plan with their specs. */
export function instanceActions(
  pending: Pick<PlanDocument, 'stopped'>,
  keep: readonly InstanceRef[],
  specs: readonly InstanceSpec[],
): InstanceActions {
  const out: InstanceActions = { stop: [], resume: [], stopped: [] };
  for (const ref of keep) {
    const isStopped = specs.find((s) => s.instance_id === ref.instance_id)?.stopped === true;
    const want = wantsStopped(pending, ref.instance_id);
    if (want) out.stopped.push(ref.instance_id);
    if (want && !isStopped) out.stop.push(ref);
    if (!want && isStopped) out.resume.push(ref);
  }
  return out;
}

/** Resource changes as far as actions care. */
export interface ActionBuckets {
  create: readonly unknown[];
  remove: readonly unknown[];
  stop?: readonly InstanceRef[];
  resume?: readonly InstanceRef[];
}

/** The outcome of {@link actionSteps}. */
export type ActionStepsResult =
  { kind: 'none' } | { kind: 'steps'; steps: StepId[] } | { kind: 'mixed'; message: string };

/**
 * The steps of an action plan; `none` when nothing is stopped or resumed (an ordinary plan),
 * `mixed` when the plan also creates or removes instances.
 */
export function actionSteps(resources: readonly ActionBuckets[]): ActionStepsResult {
  const anyStop = resources.some((r) => (r.stop ?? []).length > 0);
  const anyResume = resources.some((r) => (r.resume ?? []).length > 0);
  if (!anyStop && !anyResume) return { kind: 'none' };
  if (resources.some((r) => r.create.length > 0 || r.remove.length > 0)) {
    return {
      kind: 'mixed',
      message: 'a plan that stops or starts instances cannot also create or remove instances',
    };
  }
  const steps: StepId[] = [STEP_IDS.validatePlanSafety];
  // Drain first: proxies stop sending requests before the processes go.
  if (anyStop) steps.push(STEP_IDS.updateRouting, STEP_IDS.stopInstances);
  // Route only once they run healthy again.
  if (anyResume) steps.push(STEP_IDS.resumeInstances, STEP_IDS.updateRouting);
  steps.push(STEP_IDS.planCompleted);
  return { kind: 'steps', steps };
}

/** True when a stopped instance reports that it no longer runs at (at least) `generation`. */
export function isStoppedAt(
  status: { state: string; generation: number } | undefined,
  generation: number,
): boolean {
  return (
    status !== undefined &&
    (status.state === 'reserved' || status.state === 'stopped') &&
    status.generation >= generation
  );
}
