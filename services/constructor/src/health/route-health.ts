/**
 * Keeps the `healthy` flags of every `/routes/<deployment>` in line with the allocators' statuses
 * and liveness, so proxies stop sending traffic to a crashed instance, or to every instance of an
 * allocator lost for longer than the grace, and resume once it is healthy (and live) again.
 * Membership is the attempt's business; this only flips flags (and follows a moved port), with a
 * write conditional on the version the cache saw (a concurrent attempt write wins).
 */
import { isWharfError, parseDocument, serializeDocument, type RouteEntry } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type PresenceOf } from '../core/allocator-loss';
import { type ObservedState } from '../core/observed';
import { syncRouteHealth } from '../core/route';
import { iso } from '../core/step-log';
import { type ZkPort } from '../io/zk-port';
import { type ConstructorMetrics } from '../metrics';
import { type StackResolver } from '../stack-port';

/** A cached route node. */
export interface RouteNode {
  readonly data: Buffer;
  readonly stat: { readonly version: number };
}

/** Dependencies of {@link syncRoutes}. */
export interface RouteHealthDeps {
  zk: ZkPort;
  logger: Logger;
  metrics: ConstructorMetrics;
  stacks: StackResolver;
  now: () => number;
}

/** Writes every route whose flags disagree with statuses and presence; returns how many were written. */
export async function syncRoutes(
  deps: RouteHealthDeps,
  routes: ReadonlyMap<string, RouteNode>,
  observed: ObservedState,
  presence: PresenceOf,
): Promise<number> {
  let written = 0;
  for (const [path, node] of routes) {
    if (!/^\/routes\/[^/]+$/.test(path)) continue;
    let route: RouteEntry;
    try {
      route = parseDocument('route', node.data);
    } catch {
      continue; // logged by the deployments' owner; nothing to sync
    }
    const next = syncRouteHealth(
      route,
      observed.statuses,
      (i) => {
        const stack = observed.specs.get(i.instance_id)?.stack;
        return (stack && deps.stacks(stack)?.routePort) ?? '';
      },
      iso(deps.now()),
      presence,
    );
    if (!next) continue;
    try {
      await deps.zk.set(path, serializeDocument('route', next), node.stat.version);
      written++;
      deps.metrics.routeWrites.inc({ reason: 'health' });
      deps.logger.info('route health updated', {
        deployment: route.deployment_id,
        healthy: next.instances.filter((i) => i.healthy).length,
        instances: next.instances.length,
        lostAllocators: [
          ...new Set(
            next.instances.filter((i) => presence(i.allocator_id) === 'lost').map((i) => i.allocator_id),
          ),
        ],
      });
    } catch (err) {
      // Someone wrote the route meanwhile; the cache fires again and the next pass re-checks it.
      if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE')) throw err;
    }
  }
  return written;
}
