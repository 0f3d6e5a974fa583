/**
 * The routing table: pure functions from the `/routes` documents to an immutable map
 * deployment id → healthy instances, grouped into preference tiers (same zone first).
 * `buildRouteTable` makes one from every document (first load, resync); `applyRouteChanges`
 * makes the next one from the previous and the changed documents only, sharing every unchanged
 * route (`LayeredMap`). Nothing here does I/O; the cache around it decides which to call and
 * swaps the result in.
 */
import { isValidId, type RouteEntry } from '@wharf/model';
import { decodeRouteEntry } from './route-table-parse';
import { LayeredMap } from './route-table-map';

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

/** The outcome of {@link buildRouteTable} and {@link applyRouteChanges}. */
export interface RouteTableBuild {
  readonly table: RouteTable;
  /** Documents left out: all of them for a full build, the changed ones for an update. */
  readonly skipped: readonly SkippedRoute[];
  /** Routes with no healthy instance (`healthyCount === 0`), across the whole table. */
  readonly unavailable: number;
}

/** Options for {@link buildRouteTable}. */
export interface RouteTableOptions {
  /** The proxy's zone: instances in it are preferred. `undefined` means no preference. */
  readonly zone?: string | undefined;
  /** Routes of the previous build, reused for documents that did not change (see {@link RouteMemo}). */
  readonly memo?: RouteMemo | undefined;
}

/**
 * What the builds made of each document, kept for the next one. Decoding and validating a route
 * document is nearly all a full build costs (10,000 routes: ~46 ms with the model's validator,
 * per proxy), and a full build after the first (the safety-net refresh, a source without names)
 * mostly sees documents it has decoded before: a document with the same bytes as last time is not
 * decoded again. Incremental updates amend it in place. Belongs to one table cache (the zone is
 * baked into its routes).
 */
export class RouteMemo {
  private previous = new Map<string, MemoEntry>();
  private current = new Map<string, MemoEntry>();
  private building = false;

  /** Starts a build: what the last one made stays readable until {@link finish}. */
  begin(): void {
    this.current = new Map();
    this.building = true;
  }

  /** The route (or skip reason) for `doc`, from the last build when its data is unchanged. */
  resolve(doc: RouteDocument, zone: string | undefined): Route | string {
    const known = this.previous.get(doc.name);
    const reuse = known !== undefined && sameData(known.data, doc.data);
    const result = reuse ? known.result : routeOf(doc, zone);
    // Outside a full build (an incremental update) the last build's memo is amended in place.
    (this.building ? this.current : this.previous).set(doc.name, { data: doc.data, result });
    return result;
  }

  /** Forgets a removed document (incremental updates). */
  forget(name: string): void {
    this.previous.delete(name);
  }

  /** Ends a build: documents that are gone are forgotten. */
  finish(): void {
    this.previous = this.current;
    this.building = false;
  }
}

/**
 * Same bytes. Identity first (the tree cache keeps an unchanged node's buffer); then content, because
 * a reload (the safety-net refresh, a resync) reads every node into a new buffer, and comparing
 * ~200 bytes costs a fraction of decoding them.
 */
function sameData(a: RouteDocument['data'], b: RouteDocument['data']): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') return false;
  return a.length === b.length && a.equals(b);
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
  let unavailable = 0;
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
    if (route.healthyCount === 0) unavailable += 1;
  }
  memo?.finish();
  return { table: Object.freeze({ routes, instanceCount }), skipped, unavailable };
}

/** The previous table and its unavailable count, as {@link applyRouteChanges} needs them. */
export type RouteTableBase = Pick<RouteTableBuild, 'table' | 'unavailable'>;

/**
 * The table after `changes` (znode name → its document now, `undefined` when deleted), in
 * O(changes): every unchanged route is shared with `previous`, which is left as it was. Equal to
 * `buildRouteTable` over the documents after the change (`route-table-apply.test.ts` holds it to
 * that); `skipped` lists the changed documents left out.
 */
export function applyRouteChanges(
  previous: RouteTableBase,
  changes: ReadonlyMap<string, RouteDocument | undefined>,
  options: RouteTableOptions = {},
): RouteTableBuild {
  const { memo, zone } = options;
  const before = previous.table.routes;
  const updates = new Map<string, Route | undefined>();
  const skipped: SkippedRoute[] = [];
  let { instanceCount } = previous.table;
  let { unavailable } = previous;
  for (const [name, doc] of changes) {
    const old = before.get(name);
    if (old !== undefined) {
      instanceCount -= old.healthyCount;
      if (old.healthyCount === 0) unavailable -= 1;
    }
    if (doc === undefined) memo?.forget(name);
    const route =
      doc === undefined ? undefined : memo !== undefined ? memo.resolve(doc, zone) : routeOf(doc, zone);
    if (typeof route === 'string') skipped.push({ name, reason: route });
    // A document that became invalid leaves the table, as a full build would leave it out.
    if (typeof route !== 'object') {
      if (old !== undefined) updates.set(name, undefined);
      continue;
    }
    updates.set(name, route);
    instanceCount += route.healthyCount;
    if (route.healthyCount === 0) unavailable += 1;
  }
  const routes = updates.size === 0 ? before : LayeredMap.over(before).with(updates);
  return { table: Object.freeze({ routes, instanceCount }), skipped, unavailable };
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
  const entry = decodeRouteEntry(doc.data);
  if (typeof entry === 'string') return entry;
  if (entry.deployment_id !== doc.name) return 'deployment_id does not match the znode name';
  return entry;
}

/**
 * Why written out by hand: this runs for every document of a full build, and the generic form
 * (a Set per entry, `filter`/`map` over the tiers, spreads for the optional flags) allocated
 * several short-lived objects per route: a third of a 10,000-route build.
 */
function toRoute(entry: RouteEntry, zone: string | undefined): Route {
  const local: RouteTarget[] = [];
  const remote: RouteTarget[] = [];
  const { instances } = entry;
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i]!;
    // An instance listed twice would get twice the traffic; keep the first listing.
    if (!instance.healthy || listedBefore(instances, i)) continue;
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
  const tiers: (readonly RouteTarget[])[] = [];
  if (local.length > 0) tiers.push(Object.freeze(local));
  if (remote.length > 0) tiers.push(Object.freeze(remote));
  const route: { -readonly [K in keyof Route]: Route[K] } = {
    deploymentId: entry.deployment_id,
    tiers: Object.freeze(tiers),
    healthyCount: local.length + remote.length,
  };
  if (entry.shutdown === true) route.shutdown = true;
  if (entry.restoring === true) route.restoring = true;
  return Object.freeze(route);
}

/**
 * True when a healthy instance with the same id comes before index `i`. A scan, not a Set: a route
 * lists one to a few instances, and at most 256 (the schema's bound) makes the worst case ~30 µs.
 */
function listedBefore(instances: RouteEntry['instances'], i: number): boolean {
  const id = instances[i]!.instance_id;
  for (let j = 0; j < i; j++) if (instances[j]!.healthy && instances[j]!.instance_id === id) return true;
  return false;
}
