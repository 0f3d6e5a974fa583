/**
 * A snapshot before every destructive change: where the `snapshot-before-change` step goes. Pure.
 *
 * A plan that removes instances (a shrink, a replacement for a size or version change, a move,
 * a recovery, a delete) gets the step right after `validate-plan-safety`, before anything is
 * created, drained or removed, while every current member still serves:
 *
 * ```
 *  validate-plan-safety ─▶ snapshot-before-change ─▶ (the plan's own steps) ─▶ plan-completed
 * ```
 *
 * Only resources whose stack can snapshot count; the step itself skips (and says so in the log)
 * when no instance runs healthy or the installation has no snapshot repository. A recovery
 * (`source.action: recover`) gets no step: it removes only members already lost with their host
 * (their data went with it; the survivors hold the cluster's), and it should return to full
 * membership without waiting on a snapshot (the failover benchmark measured no clear difference
 * for small data: `docs/benchmarks.md`).
 */
import { STEP_IDS, type PlanDocument, type StackKind } from '@wharf/model';
import { type ChangeSet, type ResourceChanges } from './changes';

/** Resources whose data the step snapshots: they lose instances and their stack can snapshot. */
export function snapshottedResources(
  changes: Pick<ChangeSet, 'resources'>,
  canSnapshot: (kind: StackKind) => boolean,
): ResourceChanges[] {
  return changes.resources.filter((r) => r.remove.length > 0 && canSnapshot(r.kind));
}

/** `changes` with `snapshot-before-change` after the first step when it removes snapshottable data. */
export function withSnapshotBeforeChange(
  plan: Pick<PlanDocument, 'source'>,
  changes: ChangeSet,
  canSnapshot: (kind: StackKind) => boolean,
): ChangeSet {
  if (plan.source.action === 'recover') return changes;
  if (snapshottedResources(changes, canSnapshot).length === 0) return changes;
  if (changes.steps.includes(STEP_IDS.snapshotBeforeChange)) return changes;
  const [first, ...rest] = changes.steps;
  if (first === undefined) return changes;
  const steps = [first, STEP_IDS.snapshotBeforeChange, ...rest];
  const groups = changes.step_groups;
  // The step belongs to the first group: it runs before any group's own work.
  const stepGroups = groups === undefined ? undefined : [groups[0] ?? 0, groups[0] ?? 0, ...groups.slice(1)];
  return { ...changes, steps, ...(stepGroups === undefined ? {} : { step_groups: stepGroups }) };
}
