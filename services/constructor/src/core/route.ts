/**
 * Routing entries (`/routes/<deployment>`): which instances a proxy may send traffic to. Pure.
 * An instance is routable (`healthy: true`) while its allocator reports it `running` and healthy.
 */
import {
  SCHEMA_VERSION,
  type InstanceSpec,
  type InstanceStatus,
  type RouteEntry,
  type RouteInstance,
} from '@wharf/model';
import { compareIds } from './instance-ids';

/** An instance to route, with what its allocator observes (if anything yet). */
export interface RouteMember {
  spec: Pick<InstanceSpec, 'instance_id' | 'allocator_id' | 'ref_id' | 'zone' | 'stack'>;
  status?: InstanceStatus | undefined;
}

/** The name of the port clients use, per stack kind (a stack pack's `routePort`), or one name for all. */
export type RoutePortOf = string | ((stack: InstanceSpec['stack']) => string);

/** True when a status says the instance can take traffic. */
export function isRoutable(status: InstanceStatus | undefined): boolean {
  return status !== undefined && status.state === 'running' && status.healthy;
}

/**
 * The routing entry of a deployment for `members`. Members whose allocator has not reported an
 * address for the route port yet are left out (a proxy cannot reach them anyway).
 */
export function buildRoute(
  deploymentId: string,
  members: readonly RouteMember[],
  routePort: RoutePortOf,
  updated: string,
): RouteEntry {
  const instances: RouteInstance[] = [];
  for (const m of members) {
    const port = m.status?.ports[portName(routePort, m.spec.stack)];
    if (!m.status || port === undefined) continue;
    instances.push({
      instance_id: m.spec.instance_id,
      allocator_id: m.spec.allocator_id,
      ref_id: m.spec.ref_id,
      zone: m.spec.zone,
      host: m.status.host,
      port,
      healthy: isRoutable(m.status),
    });
  }
  instances.sort((a, b) => compareIds(a.instance_id, b.instance_id));
  return { schema_version: SCHEMA_VERSION, deployment_id: deploymentId, instances, updated };
}

/**
 * Brings the `healthy` flags (and address) of a route's instances in line with their statuses.
 * Membership never changes here: that is the attempt's job. Returns undefined when nothing changed.
 */
export function syncRouteHealth(
  route: RouteEntry,
  statuses: ReadonlyMap<string, InstanceStatus>,
  routePortOf: (instance: RouteInstance) => string,
  updated: string,
): RouteEntry | undefined {
  let changed = false;
  const instances = route.instances.map((i) => {
    const status = statuses.get(i.instance_id);
    const port = status?.ports[routePortOf(i)];
    const next: RouteInstance = {
      ...i,
      healthy: isRoutable(status),
      ...(status && port !== undefined ? { host: status.host, port } : {}),
    };
    if (next.healthy !== i.healthy || next.host !== i.host || next.port !== i.port) changed = true;
    return next;
  });
  return changed ? { ...route, instances, updated } : undefined;
}

/** True when two routes list the same instances with the same addresses and flags. */
export function sameRoute(a: RouteEntry | undefined, b: RouteEntry): boolean {
  if (!a || a.instances.length !== b.instances.length) return false;
  return a.instances.every((x, i) => {
    const y = b.instances[i]!;
    return (
      x.instance_id === y.instance_id &&
      x.allocator_id === y.allocator_id &&
      x.host === y.host &&
      x.port === y.port &&
      x.healthy === y.healthy &&
      x.zone === y.zone &&
      x.ref_id === y.ref_id
    );
  });
}

function portName(routePort: RoutePortOf, stack: InstanceSpec['stack']): string {
  return typeof routePort === 'string' ? routePort : routePort(stack);
}
