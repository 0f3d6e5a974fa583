/**
 * The one writer of `/routes/<deployment>`: attempts (`update-routing`, `remove-instances`),
 * rollback and route health all change a route through {@link updateRoute}, and deletions go
 * through {@link deleteRoute}. Every write is a compare-and-set on the version the new route was
 * computed from; when someone else wrote in between, the route is read again and recomputed, so
 * an attempt's membership change and a health flip never overwrite each other.
 *
 * ```
 *  read (version v) ─▶ update(previous) ─▶ undefined: nothing to write
 *         ▲                 │ route
 *         │                 ▼
 *         └── conflict ── set at v / create ──▶ written
 * ```
 */
import { WharfError, isWharfError, paths, type RouteEntry } from '@wharf/model';
import { MODEL_DECODER } from '@wharf/zk';
import { documentsOf } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

/**
 * Compare-and-set attempts before giving up with `WHARF_CONFLICT`. Routes are written by one
 * leader (its attempt runners and its route health loop), so a conflict means one concurrent
 * write; five lost races in a row means something else keeps writing, which retrying cannot fix.
 */
export const ROUTE_WRITE_ATTEMPTS = 5;

/** The next route given the one written now (undefined when absent or unreadable); undefined: leave it. */
export type RouteUpdate = (previous: RouteEntry | undefined) => RouteEntry | undefined;

/** A route as last seen (e.g. by a cache), tried first so an unchanged route costs no read. */
export interface KnownRoute {
  /** The route; undefined when the stored document is unreadable. */
  readonly route: RouteEntry | undefined;
  readonly version: number;
}

/**
 * Applies `update` to `/routes/<deploymentId>` with compare-and-set, re-reading on a conflict.
 * `known` is tried first without a read: a route as last seen, or null when it is known absent
 * (a cache that holds no route for it: the first write creates it). Returns the route written,
 * or undefined when `update` left it as it was.
 */
export async function updateRoute(
  zk: ZkPort,
  deploymentId: string,
  update: RouteUpdate,
  known?: KnownRoute | null,
): Promise<RouteEntry | undefined> {
  const path = paths.route(deploymentId);
  let node: KnownRoute | undefined = known ?? undefined;
  for (let attempt = 1; attempt <= ROUTE_WRITE_ATTEMPTS; attempt++) {
    if (attempt > 1 || known === undefined) node = await readRouteNode(zk, path);
    const next = update(node?.route);
    if (next === undefined) return undefined;
    try {
      if (node === undefined) await documentsOf(zk).create('route', path, next);
      else await documentsOf(zk).set('route', path, next, node.version);
      return next;
    } catch (err) {
      // Written or deleted meanwhile: read it again and recompute.
      if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS', 'WHARF_ZK_NO_NODE')) throw err;
    }
  }
  throw new WharfError('WHARF_CONFLICT', `route of ${deploymentId} kept changing while being written`, {
    details: { deployment_id: deploymentId, attempts: ROUTE_WRITE_ATTEMPTS },
  });
}

/** Deletes `/routes/<deploymentId>` if it exists. */
export async function deleteRoute(zk: ZkPort, deploymentId: string): Promise<boolean> {
  return documentsOf(zk).delete(paths.route(deploymentId));
}

/** Parses a stored route; undefined when it is not a valid route document. */
export function parseRoute(data: Buffer): RouteEntry | undefined {
  try {
    return MODEL_DECODER.decode('route', data);
  } catch (err) {
    if (isWharfError(err, 'WHARF_VALIDATION', 'WHARF_INVALID_ID')) return undefined;
    throw err;
  }
}

/** The route node now; undefined when there is none. */
async function readRouteNode(zk: ZkPort, path: string): Promise<KnownRoute | undefined> {
  const node = await documentsOf(zk).readRaw(path);
  return node && { route: parseRoute(node.data), version: node.stat.version };
}
