/**
 * The routing table: a pure function from the `/routes` documents to an immutable map
 * deployment id → healthy instances, grouped into preference tiers (same zone first).
 * Nothing here does I/O; the cache around it decides when to rebuild and swaps the result in.
 */
import { isValidId, type RouteEntry } from '@wharf/model';
import { MODEL_DECODER } from '@wharf/zk';

/** One instance the proxy may send a request to. */
export interface RouteTarget {
  readonly instanceId: string;
  readonly allocatorId: string;
  readonly refId: string;
  readonly zone: string;
  readonly host: string;
  readonly port: number;
}

/** The routable instances of one deployment. */
export interface Route {
  readonly deploymentId: string;
  /**
   * Healthy instances in preference order: `tiers[0]` is the proxy's own zone (when it has one
   * and the deployment has instances there), later tiers are fallbacks. Empty tiers are dropped,
   * so a deployment with no healthy instance has `tiers.length === 0`.
   */
  readonly tiers: readonly (readonly RouteTarget[])[];
  /** Healthy instances across all tiers. */
  readonly healthyCount: number;
  /** Shut down (`_shutdown`): answered with a coded 503 at once, never held or forwarded. */
  readonly shutdown?: boolean;
}

/** An immutable routing table; a new one is built and swapped in on every change. */
export interface RouteTable {
  readonly routes: ReadonlyMap<string, Route>;
  /** Healthy instances across all deployments. */
  readonly instanceCount: number;
}

/** One `/routes` child as read from ZooKeeper: its znode name and raw data. */
export interface RouteDocument {
  readonly name: string;
  readonly data: Buffer | string | undefined;
}

/** A document that was left out of the table, and why. */
export interface SkippedRoute {
  readonly name: string;
  readonly reason: string;
}

/** The outcome of {@link buildRouteTable}. */
export interface RouteTableBuild {
  readonly table: RouteTable;
  readonly skipped: readonly SkippedRoute[];
}

/** Options for {@link buildRouteTable}. */
export interface RouteTableOptions {
  /** The proxy's zone: instances in it are preferred. `undefined` means no preference. */
  readonly zone?: string | undefined;
}

/** An empty table (used before the first build in tests and by the static source). */
export const EMPTY_ROUTE_TABLE: RouteTable = Object.freeze({ routes: new Map(), instanceCount: 0 });

/**
 * Builds a table from `/routes` documents. Documents that are not valid JSON route entries, whose
 * znode name is not a valid id or does not match `deployment_id` are skipped and reported (another
 * service's bad data is never fatal to the proxy).
 */
export function buildRouteTable(
  documents: Iterable<RouteDocument>,
  options: RouteTableOptions = {},
): RouteTableBuild {
  const routes = new Map<string, Route>();
  const skipped: SkippedRoute[] = [];
  let instanceCount = 0;
  for (const doc of documents) {
    const parsed = parseRoute(doc);
    if (typeof parsed === 'string') {
      skipped.push({ name: doc.name, reason: parsed });
      continue;
    }
    const route = toRoute(parsed, options.zone);
    routes.set(route.deploymentId, route);
    instanceCount += route.healthyCount;
  }
  return { table: Object.freeze({ routes, instanceCount }), skipped };
}

/** The entry, or the reason it cannot be used. */
function parseRoute(doc: RouteDocument): RouteEntry | string {
  if (!isValidId(doc.name)) return 'znode name is not a valid deployment id';
  if (doc.data === undefined || doc.data.length === 0) return 'no data';
  let entry: RouteEntry;
  try {
    entry = MODEL_DECODER.decode('route', doc.data);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (entry.deployment_id !== doc.name) return 'deployment_id does not match the znode name';
  return entry;
}

function toRoute(entry: RouteEntry, zone: string | undefined): Route {
  const local: RouteTarget[] = [];
  const remote: RouteTarget[] = [];
  const seen = new Set<string>();
  for (const instance of entry.instances) {
    // An instance listed twice would get twice the traffic; keep the first listing.
    if (!instance.healthy || seen.has(instance.instance_id)) continue;
    seen.add(instance.instance_id);
    const target: RouteTarget = Object.freeze({
      instanceId: instance.instance_id,
      allocatorId: instance.allocator_id,
      refId: instance.ref_id,
      zone: instance.zone,
      host: instance.host,
      port: instance.port,
    });
    (zone !== undefined && instance.zone === zone ? local : remote).push(target);
  }
  const tiers = [local, remote].filter((tier) => tier.length > 0).map((tier) => Object.freeze(tier));
  return Object.freeze({
    deploymentId: entry.deployment_id,
    tiers: Object.freeze(tiers),
    healthyCount: local.length + remote.length,
    ...(entry.shutdown === true ? { shutdown: true } : {}),
  });
}
