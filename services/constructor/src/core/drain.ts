/**
 * Drain, decided. Before an instance stops (removed by a plan, undone by a rollback, shut down),
 * its route entry goes *draining*: it stays listed with `healthy: false`, so every proxy stops
 * giving it new requests while the ones in flight finish (proxies never cut a request in flight
 * when an instance leaves their table), then it leaves the route and only then stops.
 *
 * ```
 *  routable ──▶ draining (healthy:false, in attempt.state.draining) ──drain period──▶ out of the route ──▶ stopped
 * ```
 *
 * Why `healthy: false` and no new `draining` field in the route JSON: route readers validate
 * strictly (`additionalProperties: false`), and a proxy that does not know a new field skips the
 * whole document — the deployment would vanish from its table (404s) for the length of the drain.
 * Every proxy, old or new, already sends nothing new to `healthy: false`. The drain marker itself
 * lives in the attempt's private state, which route health reads so it never flips a draining
 * entry back to routable from its (still healthy) status. Pure.
 */
import { type PlanAttempt } from '@wharf/model';
import { parseAttemptState } from './attempt-state';
import { isActive } from './step-log';

/**
 * Default drain period (`WHARF_DRAIN_MS`): a route change reaches every proxy in tens of
 * milliseconds (one watch event, a 10 ms coalesce), and an etcd request outside an election
 * answers well under a second; 2 s covers both with room for a loaded host. Each removal costs
 * this once per step that drains, not per instance.
 */
export const DEFAULT_DRAIN_MS = 2_000;

/**
 * Default pause before a leave that stops the cluster briefly (etcd: the leader leaves, so
 * leadership moves and etcd drops the proposals caught in the hand-off). Every member is listed
 * unroutable for this long first — proxies hold new requests (up to their hold time) and the ones
 * in flight, which take milliseconds, finish — then the leave runs and the route comes back. A
 * route change reaches the proxies in tens of milliseconds; 500 ms leaves room for a loaded host
 * while keeping the pause clients see to about a second.
 */
export const DEFAULT_PAUSE_DRAIN_MS = 500;

/** The instances that active attempts are draining, across deployments. */
export function drainingInstances(
  views: Iterable<{ readonly attempt?: PlanAttempt | undefined }>,
): ReadonlySet<string> {
  const out = new Set<string>();
  for (const view of views) {
    if (!view.attempt || !isActive(view.attempt)) continue;
    for (const id of parseAttemptState(view.attempt.state)?.draining ?? []) out.add(id);
  }
  return out;
}

/** `draining` with `ids` added (order kept, no duplicates); the same array when nothing is new. */
export function withDraining(draining: readonly string[] | undefined, ids: readonly string[]): string[] {
  const current = draining ?? [];
  const added = ids.filter((id, i) => !current.includes(id) && ids.indexOf(id) === i);
  return added.length === 0 ? [...current] : [...current, ...added];
}
