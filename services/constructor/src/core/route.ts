/**
 * Routing entries (`/routes/<deployment>`): which instances a proxy may send traffic to. Pure.
 * An instance is routable (`healthy: true`) while its allocator is live and reports it `running`
 * and healthy; see `allocator-loss.ts` for an allocator whose live node is gone.
 */
import {
  SCHEMA_VERSION,
  type InstanceSpec,
  type InstanceStatus,
  type RouteEntry,
  type RouteInstance,
} from '@wharf/model';
import { ALWAYS_LIVE, type AllocatorPresence, type PresenceOf } from './allocator-loss';
import { compareIds } from './instance-ids';

/** An instance to route, with what its allocator observes (if anything yet). */
export interface RouteMember {
  spec: Pick<InstanceSpec, 'instance_id' | 'allocator_id' | 'ref_id' | 'zone' | 'stack'>;
  status?: InstanceStatus | undefined;
  /**
   * Draining: listed but never routable (`healthy: false`), whatever its status says, so proxies
   * send it no new request while the ones in flight finish (see `core/drain.ts`).
   */
  draining?: boolean;
}

/** No instance is draining. */
const NONE_DRAINING: ReadonlySet<string> = new Set();

/** The name of the port clients use, per stack kind (a stack pack's `routePort`), or one name for all. */
export type RoutePortOf = string | ((stack: InstanceSpec['stack']) => string);

/** True when a status says the instance can take traffic. */
export function isRoutable(status: InstanceStatus | undefined): boolean {
  return status !== undefined && status.state === 'running' && status.healthy;
}

/**
 * Whether a route entry should be routable: live allocator → its status decides; suspect → it
 * stays routable only if it was (undefined: a new entry nobody vouched for yet) and its status
 * agrees — a stale status may take an entry down, never bring it back; lost → never.
 */
export function routableWith(
  status: InstanceStatus | undefined,
  presence: AllocatorPresence,
  wasRoutable: boolean | undefined,
): boolean {
  if (presence === 'live') return isRoutable(status);
  if (presence === 'suspect') return wasRoutable === true && isRoutable(status);
  return false;
}

/** What else decides routability besides statuses: allocator presence and the route as it is. */
export interface RouteContext {
  /** Presence of each allocator (default: all live). */
  presence?: PresenceOf;
  /** The route as currently written, for the flags of allocators that are `suspect`. */
  previous?: RouteEntry | undefined;
  /**
   * Whether the route says `restoring` (an in-place restore under way, `apply/step-restore.ts`);
   * undefined keeps what `previous` says, so no other writer ends a restore's 503 by accident.
   */
  restoring?: boolean;
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
  context: RouteContext = {},
): RouteEntry {
  const presence = context.presence ?? ALWAYS_LIVE;
  const was = new Map(context.previous?.instances.map((i) => [i.instance_id, i.healthy]));
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
      healthy:
        m.draining !== true &&
        routableWith(m.status, presence(m.spec.allocator_id), was.get(m.spec.instance_id)),
    });
  }
  instances.sort((a, b) => compareIds(a.instance_id, b.instance_id));
  const restoring = context.restoring ?? context.previous?.restoring === true;
  return {
    schema_version: SCHEMA_VERSION,
    deployment_id: deploymentId,
    instances,
    ...(restoring ? { restoring: true } : {}),
    updated,
  };
}

/**
 * Brings the `healthy` flags (and address) of a route's instances in line with their statuses and
 * their allocators' presence. Membership never changes here: that is the attempt's job, and so is
 * draining: an instance in `draining` stays unroutable. Returns undefined when nothing changed.
 */
export function syncRouteHealth(
  route: RouteEntry,
  statuses: ReadonlyMap<string, InstanceStatus>,
  routePortOf: (instance: RouteInstance) => string,
  updated: string,
  presence: PresenceOf = ALWAYS_LIVE,
  draining: ReadonlySet<string> = NONE_DRAINING,
): RouteEntry | undefined {
  let changed = false;
  const instances = route.instances.map((i) => {
    const status = statuses.get(i.instance_id);
    const port = status?.ports[routePortOf(i)];
    const next: RouteInstance = {
      ...i,
      healthy: !draining.has(i.instance_id) && routableWith(status, presence(i.allocator_id), i.healthy),
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
  if ((a.restoring === true) !== (b.restoring === true)) return false;
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
