/**
 * Rollback, decided: which specs the attempt created, and whether (and to what) the route must be
 * put back. The old instances are never touched. Pure.
 */
import { STEP_IDS, type InstanceSpec } from '@wharf/model';
import { stepsOf, type AttemptState } from './attempt-state';
import { refMembers, type RouteMember } from './route-members';

/** Specs of `deploymentId` carrying this attempt's id: everything a rollback undoes. */
export function createdByAttempt(
  specs: readonly InstanceSpec[],
  deploymentId: string,
  attemptId: string,
): InstanceSpec[] {
  return specs.filter((s) => s.deployment_id === deploymentId && s.plan_attempt_id === attemptId);
}

/**
 * The route members to restore (the old instances) when the attempt had already moved the route;
 * undefined when the route was never changed (or the attempt is a shutdown).
 */
export function routeToRestore(state: AttemptState): RouteMember[] | undefined {
  const changes = state.changes;
  if (!changes || changes.shutdown) return undefined;
  const routedAt = stepsOf(state).indexOf(STEP_IDS.updateRouting);
  if (routedAt < 0 || state.cursor < routedAt) return undefined;
  return changes.resources.flatMap((r) => refMembers(r.kind, [...r.keep, ...r.remove]));
}

/** The attempt's created instances as route members (drained before a rollback removes them). */
export function createdMembers(created: readonly InstanceSpec[]): RouteMember[] {
  return created.map((s) => ({
    spec: {
      instance_id: s.instance_id,
      allocator_id: s.allocator_id,
      ref_id: s.ref_id,
      zone: s.zone,
      stack: s.stack,
    },
  }));
}
