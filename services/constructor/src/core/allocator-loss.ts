/**
 * Allocator loss for routing. Pure. An allocator's statuses are only as fresh as the allocator
 * writing them: once its ephemeral `live` node is gone nobody updates them, so "running, healthy"
 * may describe an instance that died with its host. After a grace (an allocator restart or a
 * session re-established after a ZooKeeper blip re-creates `live` well within it) its instances
 * stop being routable, whatever their statuses say, until the allocator is live again.
 *
 * Crash safety: the time a live node vanished is not stored in ZooKeeper, so a new leader starts
 * the grace from when it first sees the allocator gone. The decision itself is persisted in the
 * route (`healthy: false`), and while the allocator is away nothing makes an entry routable
 * again, so a failover can delay a decision by at most one grace but never undoes one.
 */

/**
 * How the leader sees an allocator for routing: `live` (its live node exists), `suspect` (gone
 * for less than the grace: keep what the route says, only ever take entries down) or `lost`
 * (gone for the grace or longer: none of its instances is routable).
 */
export type AllocatorPresence = 'live' | 'suspect' | 'lost';

/** The presence of an allocator by id. */
export type PresenceOf = (allocatorId: string) => AllocatorPresence;

/** Every allocator is live: routing follows statuses alone. */
export const ALWAYS_LIVE: PresenceOf = () => 'live';

/**
 * Since when each known allocator has been seen without its live node. Earlier entries are kept
 * (the grace runs from the first time it was seen gone), live allocators and allocators no longer
 * known are dropped, newly missing ones start at `now`.
 */
export function trackLoss(
  previous: ReadonlyMap<string, number>,
  known: Iterable<string>,
  live: ReadonlySet<string>,
  now: number,
): Map<string, number> {
  const next = new Map<string, number>();
  for (const id of known) {
    if (live.has(id) || next.has(id)) continue;
    next.set(id, previous.get(id) ?? now);
  }
  return next;
}

/**
 * True when more than half of the known allocators are without their live node at once. That
 * looks like the control plane (a ZooKeeper outage that expired every session, a partition of the
 * coordinators) far more than like that many hosts dying together, so no allocator is declared
 * lost while it lasts: marking every route unhealthy would turn a ZooKeeper hiccup into a full
 * outage at the proxies, which keep serving from their tables otherwise (Kubernetes' node
 * controller stops evicting in a "full disruption" for the same reason). Instances that really
 * died are still skipped by the proxies, which hold an instance down on its first failed connect.
 */
export function isMassLoss(knownCount: number, missingCount: number): boolean {
  return missingCount > 0 && missingCount * 2 > knownCount;
}

/**
 * The presence of `allocatorId`. An allocator that is neither live nor tracked is unknown to the
 * allocators tree (its whole subtree is gone): nothing vouches for its instances. During a mass
 * loss (`holdLoss`, see {@link isMassLoss}) a missing allocator stays `suspect`.
 */
export function presenceOf(
  allocatorId: string,
  live: ReadonlySet<string>,
  lostSince: ReadonlyMap<string, number>,
  now: number,
  graceMs: number,
  holdLoss = false,
): AllocatorPresence {
  if (live.has(allocatorId)) return 'live';
  const since = lostSince.get(allocatorId);
  if (holdLoss) return 'suspect';
  return since !== undefined && now - since < graceMs ? 'suspect' : 'lost';
}

/** The earliest time a `suspect` allocator becomes `lost`; undefined when none is pending. */
export function nextLossDeadline(
  lostSince: ReadonlyMap<string, number>,
  now: number,
  graceMs: number,
): number | undefined {
  let next: number | undefined;
  for (const since of lostSince.values()) {
    const at = since + graceMs;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
