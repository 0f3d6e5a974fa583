/**
 * Moves, decided: which instances a lost allocator forces off it (recovery), the plan that moves
 * them, where each replacement goes, and which dead members leave their cluster before anyone
 * joins. Pure. A move is an ordinary plan attempt whose plan is the current one plus a `move`
 * block (`planChanges` replaces the listed instances), so a recovery, a move request and a vacate
 * share every step, the step log and the rollback rules.
 *
 * ```
 *  allocator lost past the grace ──▶ recoveriesDue() ──▶ movePlan(current) ──▶ plan/pending
 *  POST .../instances/_move ─────────────────────────────▶ movePlan(current) ──▶ plan/pending
 *                                                                                 │ attempt
 *  validate-plan-safety: planChanges(move) · allocate-instances: placeMoves()     ▼
 *  start-instances: evictions() leave first (a dead member blocks etcd's strict reconfig check)
 * ```
 */
import { type InstanceSpec, type PlanDocument, type PlanMove } from '@wharf/model';
import { type AllocatorPresence } from './allocator-loss';
import { type ChangeSet, type InstanceRef, type ResourceChanges } from './changes';
import { place, type AllocatorView, type Placement, type PlaceResult, type PlacementRequest } from './place';

/** A deployment as the recovery decision sees it (from the deployments cache). */
export interface RecoveryDeployment {
  id: string;
  /** A plan is pending or an attempt is active: the recovery waits until it is done. */
  busy: boolean;
  deleting: boolean;
}

/** What {@link recoveriesDue} decides from. */
export interface RecoveryInput {
  deployments: readonly RecoveryDeployment[];
  specs: Iterable<InstanceSpec>;
  /** Since when each allocator has been without its live node; empty during a mass loss. */
  awaySince: ReadonlyMap<string, number>;
  now: number;
  /** How long an allocator must be away before its instances move; 0 disables recovery. */
  graceMs: number;
}

/** One deployment to recover: the instances to move off lost allocators. */
export interface Recovery {
  deployment_id: string;
  instances: string[];
  /** The lost allocators, with how long each has been away. */
  lost: { allocator_id: string; away_ms: number }[];
}

/** A deployment that has instances on a lost allocator but is not recovered now, and why. */
export interface RecoveryHeld {
  deployment_id: string;
  reason: 'busy' | 'deleting' | 'no-quorum';
}

/** The outcome of {@link recoveriesDue}. */
export interface RecoveryDecision {
  due: Recovery[];
  held: RecoveryHeld[];
  /**
   * Deployments with a resource whose every member was lost (a single-member deployment with its
   * host): no member is left to copy from, so they are recovered only from their latest snapshot
   * (`core/restore.ts`), or held as `no-quorum` when they have none.
   */
  rebuild: Recovery[];
  /** The earliest time another allocator's recovery grace runs out, if any. */
  nextAt?: number;
}

/**
 * The deployments whose instances sit on allocators away for the recovery grace or longer. A
 * deployment with a pending plan or a running attempt waits for it (the recovery is queued, not
 * folded in: the running attempt keeps its own change set and either finishes or times out,
 * then the next pass sees the still-lost instances). A resource whose members would not keep a
 * majority on live allocators is not recovered: its cluster cannot change membership anyway.
 */
export function recoveriesDue(input: RecoveryInput): RecoveryDecision {
  const out: RecoveryDecision = { due: [], held: [], rebuild: [] };
  if (input.graceMs <= 0 || input.awaySince.size === 0) return out;
  const lostAt = new Map<string, number>();
  for (const [allocator, since] of input.awaySince) {
    const at = since + input.graceMs;
    if (at <= input.now) lostAt.set(allocator, input.now - since);
    else if (out.nextAt === undefined || at < out.nextAt) out.nextAt = at;
  }
  if (lostAt.size === 0) return out;
  const byDeployment = groupSpecs(input.specs);
  for (const d of input.deployments) {
    const specs = byDeployment.get(d.id) ?? [];
    // A stopped instance (`_stop`, `_shutdown`) runs nowhere: nothing to recover, and its data
    // is on the lost host; it stays where it is until started.
    const moving = specs.filter((s) => lostAt.has(s.allocator_id) && s.stopped !== true);
    if (moving.length === 0) continue;
    if (d.deleting || d.busy) {
      out.held.push({ deployment_id: d.id, reason: d.deleting ? 'deleting' : 'busy' });
      continue;
    }
    const allocators = [...new Set(moving.map((s) => s.allocator_id))].sort();
    const recovery = {
      deployment_id: d.id,
      instances: moving.map((s) => s.instance_id).sort(),
      lost: allocators.map((a) => ({ allocator_id: a, away_ms: lostAt.get(a)! })),
    };
    if (keepsMajority(specs, moving)) out.due.push(recovery);
    else if (whollyLost(specs, moving)) out.rebuild.push(recovery);
    else out.held.push({ deployment_id: d.id, reason: 'no-quorum' });
  }
  return out;
}

/** True when every resource that loses members loses all of them (none is left to copy from). */
function whollyLost(specs: readonly InstanceSpec[], moving: readonly InstanceSpec[]): boolean {
  const refs = new Set(moving.map((s) => s.ref_id));
  return [...refs].every(
    (ref) => specs.filter((s) => s.ref_id === ref).length === moving.filter((s) => s.ref_id === ref).length,
  );
}

/** True when every resource keeps more than half of its members outside `moving`. */
function keepsMajority(specs: readonly InstanceSpec[], moving: readonly InstanceSpec[]): boolean {
  const refs = new Set(moving.map((s) => s.ref_id));
  for (const ref of refs) {
    const all = specs.filter((s) => s.ref_id === ref).length;
    const gone = moving.filter((s) => s.ref_id === ref).length;
    if ((all - gone) * 2 <= all) return false;
  }
  return true;
}

/** The pending plan that moves `move.instances`: the current plan's resources, a new id and source. */
export function movePlan(
  current: PlanDocument,
  move: PlanMove,
  source: PlanDocument['source'],
  planId: string,
  createdIso: string,
): PlanDocument {
  const { move: _previous, shutdown: _shutdown, restore: _restore, ...rest } = current;
  return { ...rest, plan_id: planId, created: createdIso, source, move };
}

/** The step-log reason of a recovery: which allocators were lost, for how long (and the snapshot of a rebuild). */
export function recoveryReason(r: Recovery, restore?: { snapshot: string; created: string }): string {
  const lost = r.lost.map((l) => `${l.allocator_id} (away ${(l.away_ms / 1000).toFixed(1)} s)`);
  const from =
    restore === undefined
      ? ''
      : `; no member left: from snapshot ${restore.snapshot} taken ${restore.created}`;
  return `allocator lost: ${lost.join(', ')}; moving ${r.instances.join(', ')}${from}`;
}

/** Which old instance each new one replaces, by new instance id (same resource and topology element, in order). */
export function replacements(changes: ChangeSet, moved: readonly string[]): Map<string, InstanceRef> {
  const out = new Map<string, InstanceRef>();
  const movedSet = new Set(moved);
  for (const r of changes.resources) {
    const old = r.remove.filter((i) => movedSet.has(i.instance_id));
    for (const c of r.create) {
      const i = old.findIndex((o) => o.topology_id === c.topology_id);
      if (i < 0) continue;
      out.set(c.instance_id, old[i]!);
      old.splice(i, 1);
    }
  }
  return out;
}

/**
 * Places the replacements of a move, one at a time: never on an allocator being moved off, never
 * beside another member of the same resource, only on `move.allocators` when given; the zone of
 * the instance it replaces first, any other zone otherwise. All or none, like {@link place}.
 */
export function placeMoves(
  requests: readonly PlacementRequest[],
  allocators: readonly AllocatorView[],
  existingSpecs: readonly InstanceSpec[],
  changes: ChangeSet,
  move: PlanMove,
): PlaceResult {
  const pairs = replacements(changes, move.instances);
  const sources = new Set(
    existingSpecs.filter((s) => move.instances.includes(s.instance_id)).map((s) => s.allocator_id),
  );
  const targets = move.allocators ? new Set(move.allocators) : undefined;
  const specs = [...existingSpecs];
  const placements: Placement[] = [];
  for (const req of requests) {
    const taken = new Set(
      specs
        .filter((s) => s.deployment_id === req.deployment_id && s.ref_id === req.ref_id)
        .filter((s) => !move.instances.includes(s.instance_id))
        .map((s) => s.allocator_id),
    );
    const usable = allocators.filter((a) => {
      const id = a.advertisement.id;
      return !sources.has(id) && !taken.has(id) && (!targets || targets.has(id));
    });
    const zone = pairs.get(req.instance_id)?.zone;
    const sameZone = usable.filter((a) => a.advertisement.zone === zone);
    let result = sameZone.length > 0 ? place([req], sameZone, specs) : undefined;
    if (!result?.ok) result = place([req], usable, specs);
    if (!result.ok) return result;
    const p = result.placements[0]!;
    placements.push(p);
    specs.push(placedSpec(req, p));
  }
  return { ok: true, placements };
}

/** A stand-in spec for a replacement placed in this pass (so later requests see it). */
function placedSpec(req: PlacementRequest, p: Placement): InstanceSpec {
  return {
    instance_id: req.instance_id,
    deployment_id: req.deployment_id,
    ref_id: req.ref_id,
    topology_id: req.topology_id,
    allocator_id: p.allocator_id,
    zone: p.zone,
    memory_mb: req.memory_mb,
  } as InstanceSpec;
}

/**
 * Members of `r` that must leave before any new member joins: those on allocators that are not
 * live. A dead member counts towards etcd's quorum, so adding a member while it is still listed
 * is refused (strict reconfiguration check: 2 started of 4 is below quorum). Removing it first
 * keeps one membership change at a time and the cluster at quorum throughout.
 */
export function evictions(
  r: ResourceChanges,
  presence: (allocatorId: string) => AllocatorPresence,
  left: readonly string[],
): InstanceRef[] {
  if (r.dissolve || r.cluster.state !== 'existing' || r.create.length === 0) return [];
  return r.remove.filter((i) => presence(i.allocator_id) !== 'live' && !left.includes(i.instance_id));
}

function groupSpecs(specs: Iterable<InstanceSpec>): Map<string, InstanceSpec[]> {
  const out = new Map<string, InstanceSpec[]>();
  for (const s of specs) {
    const list = out.get(s.deployment_id);
    if (list) list.push(s);
    else out.set(s.deployment_id, [s]);
  }
  return out;
}
