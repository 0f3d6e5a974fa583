/**
 * The constructor-private progress stored in `attempt.state`, so that a new leader resumes an
 * attempt where the old one stopped. Pure: reading validates the shape loosely (it is our own
 * data, but a hand-edited or half-written document must not crash the leader).
 */
import { STEP_IDS, listResources, type PlanDocument, type StepId } from '@wharf/model';
import { type ChangeSet } from './changes';
import { planResources } from './desired';
import { type Placement } from './place';

/** Which way the attempt is going: steps in order, undoing them, or publishing the outcome. */
export type AttemptPhase = 'forward' | 'rollback' | 'completing';

/** Persisted progress of one attempt. */
export interface AttemptState {
  /** The pending plan being applied (kept so completion and resume do not depend on plan/pending). */
  plan: PlanDocument;
  /** Clock reading after which the forward phase times out (`plan_configuration.timeout`). */
  deadline_ms: number;
  /** Index in `steps()` of the next step to run (steps before it are done). */
  cursor: number;
  /** The change set computed by `validate-plan-safety`. */
  changes?: ChangeSet;
  /** Where `allocate-instances` put the new instances (persisted before any spec is written). */
  placements?: Placement[];
  /** Cluster token of each resource that starts a new cluster, by ref id. */
  tokens?: Record<string, string>;
  /** The instance whose join hook is under way (so a rollback knows it may have become a member). */
  joining?: string;
  /** Instances whose leave hook completed (`leave-cluster` is resumable one member at a time). */
  left?: string[];
  /**
   * Instances this attempt drains (listed `healthy: false` in the route before they stop): route
   * health never makes them routable again while the attempt is active (`core/drain.ts`).
   */
  draining?: string[];
  /** True while the route is paused around a leave that stops the cluster briefly (`apply/drain.ts`). */
  paused?: boolean;
  phase: AttemptPhase;
  /** Why the attempt is rolling back / failed. */
  failure?: { failure_type: string; message: string };
}

/** Steps before the change set is known. */
const INITIAL_STEPS: readonly StepId[] = [STEP_IDS.validatePlanSafety, STEP_IDS.planCompleted];

/** The attempt's steps: the change set's, or validate + complete before it is computed. */
export function stepsOf(state: AttemptState): readonly StepId[] {
  return state.changes?.steps ?? INITIAL_STEPS;
}

/** The step the cursor points at. */
export function currentStep(state: AttemptState): StepId | undefined {
  return stepsOf(state)[state.cursor];
}

/**
 * True once the attempt has started removing old instances: from there on a failure cannot roll
 * back (old members may already have left the cluster), so the attempt ends in error instead.
 */
export function pastPointOfNoReturn(state: AttemptState): boolean {
  const steps = stepsOf(state);
  if (state.changes?.shutdown) return true;
  const first = steps.findIndex((s) => s === STEP_IDS.leaveCluster || s === STEP_IDS.removeInstances);
  return first >= 0 && state.cursor >= first;
}

/** The state a new attempt starts with. */
export function initialState(plan: PlanDocument, deadlineMs: number): AttemptState {
  return { plan, deadline_ms: deadlineMs, cursor: 0, phase: 'forward' };
}

/** Reads `attempt.state`; undefined when it is missing or malformed. */
export function parseAttemptState(raw: unknown): AttemptState | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const s = raw as Partial<AttemptState>;
  const okPlan = s.plan !== null && typeof s.plan === 'object' && typeof s.plan.plan_id === 'string';
  const okNumbers = Number.isFinite(s.deadline_ms) && Number.isInteger(s.cursor) && (s.cursor ?? -1) >= 0;
  const okPhase = s.phase === 'forward' || s.phase === 'rollback' || s.phase === 'completing';
  const okChanges =
    s.changes === undefined || (Array.isArray(s.changes.resources) && Array.isArray(s.changes.steps));
  const okPlacements = s.placements === undefined || Array.isArray(s.placements);
  if (!okPlan || !okNumbers || !okPhase || !okChanges || !okPlacements) return undefined;
  return s as AttemptState;
}

/** `attempt.state` as stored (a plain record). */
export function serializeState(state: AttemptState): Record<string, unknown> {
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}

/**
 * Attempt timeout when no resource sets `plan_configuration.timeout`. ECE's default (4 s per MB
 * of the largest node) runs to hours; 600 s bounds a stuck plan while leaving etcd plenty of
 * time (a member joins in seconds).
 */
export const DEFAULT_PLAN_TIMEOUT_SECONDS = 600;

/** The attempt's timeout: the largest `plan_configuration.timeout` of its resources, or the default. */
export function planTimeoutMs(plan: PlanDocument): number {
  const resources = planResources(plan);
  const timeouts = resources
    ? listResources(resources)
        .map((r) => r.plan.transient?.plan_configuration?.timeout)
        .filter((t): t is number => typeof t === 'number')
    : [];
  const seconds = timeouts.length > 0 ? Math.max(...timeouts) : DEFAULT_PLAN_TIMEOUT_SECONDS;
  return seconds * MS_PER_SECOND;
}

const MS_PER_SECOND = 1000;
