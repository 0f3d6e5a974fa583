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
  /** An in-place restore is replacing the data: answered with a coded 503 at once, never held or forwarded. */
  readonly restoring?: boolean;
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
  /** Routes of the previous build, reused for documents that did not change (see {@link RouteMemo}). */
  readonly memo?: RouteMemo | undefined;
}

/**
 * What one build made of each document, kept for the next build. Decoding and validating a route
 * document is nearly all a rebuild costs (~5 µs each: 48 ms for 10,000 routes on this kind of box,
 * per proxy, per change), and one change touches one document: a document whose data is the very
 * same object as last time (the tree cache keeps an unchanged node's buffer) is not decoded again,
 * so a rebuild is a map copy. Belongs to one table cache (the zone is baked into its routes).
 */
export class RouteMemo {
  private previous = new Map<string, MemoEntry>();
  private current = new Map<string, MemoEntry>();

  /** Starts a build: what the last one made stays readable until {@link finish}. */
  begin(): void {
    this.current = new Map();
  }

  /** The route (or skip reason) for `doc`, from the last build when its data is unchanged. */
  resolve(doc: RouteDocument, zone: string | undefined): Route | string {
    const known = this.previous.get(doc.name);
    const reuse = known !== undefined && doc.data !== undefined && known.data === doc.data;
    const result = reuse ? known.result : routeOf(doc, zone);
    this.current.set(doc.name, { data: doc.data, result });
    return result;
  }

  /** Ends a build: documents that are gone are forgotten. */
  finish(): void {
    this.previous = this.current;
  }
}

interface MemoEntry {
  readonly data: RouteDocument['data'];
  readonly result: Route | string;
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
  const { memo, zone } = options;
  memo?.begin();
  for (const doc of documents) {
    const route = memo !== undefined ? memo.resolve(doc, zone) : routeOf(doc, zone);
    if (typeof route === 'string') {
      skipped.push({ name: doc.name, reason: route });
      continue;
    }
    routes.set(route.deploymentId, route);
    instanceCount += route.healthyCount;
  }
  memo?.finish();
  return { table: Object.freeze({ routes, instanceCount }), skipped };
}

/** The route of one document, or the reason it cannot be used. */
function routeOf(doc: RouteDocument, zone: string | undefined): Route | string {
  const parsed = parseRoute(doc);
  return typeof parsed === 'string' ? parsed : toRoute(parsed, zone);
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
    ...(entry.restoring === true ? { restoring: true } : {}),
  });
}
