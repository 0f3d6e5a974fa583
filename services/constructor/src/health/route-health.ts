/**
 * Keeps the `healthy` flags of every `/routes/<deployment>` in line with the allocators' statuses
 * and liveness, so proxies stop sending traffic to a crashed instance, or to every instance of an
 * allocator lost for longer than the grace, and resume once it is healthy (and live) again.
 * Membership is the attempt's business; this only flips flags (and follows a moved port). Writes go
 * through the route writer, conditional on the version the cache saw: when an attempt wrote
 * meanwhile, its membership wins and the flags are recomputed on top of it.
 */
import { isWharfError, type RouteEntry } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { parseRoute, updateRoute } from '../apply/route-writer';
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

/** `/routes/<deployment>` (the cache also holds `/routes` itself). */
const ROUTE_PATH = /^\/routes\/([^/]+)$/;

/**
 * Writes every route whose flags disagree with statuses and presence; returns how many were
 * written. The cached version is tried first; a concurrent write makes the route writer read it
 * again and recompute the flags from the route as it is then.
 */
export async function syncRoutes(
  deps: RouteHealthDeps,
  routes: ReadonlyMap<string, RouteNode>,
  observed: ObservedState,
  presence: PresenceOf,
  draining: ReadonlySet<string> = new Set(),
  parse: (path: string, data: Buffer) => RouteEntry | undefined = (_path, data) => parseRoute(data),
): Promise<number> {
  const updated = iso(deps.now());
  const sync = (route: RouteEntry | undefined): RouteEntry | undefined =>
    route &&
    syncRouteHealth(
      route,
      observed.statuses,
      (i) => {
        const stack = observed.specs.get(i.instance_id)?.stack;
        return (stack && deps.stacks(stack)?.routePort) ?? '';
      },
      updated,
      presence,
      draining,
    );
  let written = 0;
  for (const [path, node] of routes) {
    const deployment = ROUTE_PATH.exec(path)?.[1];
    // An unreadable route is logged by the deployments' owner; nothing to sync.
    const route = deployment === undefined ? undefined : parse(path, node.data);
    if (deployment === undefined || !route) continue;
    let next: RouteEntry | undefined;
    try {
      next = await updateRoute(deps.zk, deployment, sync, { route, version: node.stat.version });
    } catch (err) {
      // Kept losing the race: the writes that won fire the cache again and the next pass re-checks.
      if (!isWharfError(err, 'WHARF_CONFLICT', 'WHARF_INVALID_ID')) throw err;
      deps.logger.warn('route health write skipped', { deployment, err });
      continue;
    }
    if (!next) continue;
    written++;
    deps.metrics.routeWrites.inc({ reason: 'health' });
    logWritten(deps.logger, next, presence);
  }
  return written;
}

function logWritten(logger: Logger, route: RouteEntry, presence: PresenceOf): void {
  const lost = route.instances.filter((i) => presence(i.allocator_id) === 'lost').map((i) => i.allocator_id);
  logger.info('route health updated', {
    deployment: route.deployment_id,
    healthy: route.instances.filter((i) => i.healthy).length,
    instances: route.instances.length,
    lostAllocators: [...new Set(lost)],
  });
}
