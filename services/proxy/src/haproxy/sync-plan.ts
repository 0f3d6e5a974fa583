/**
 * **Pure**: what the HAProxy data plane must change to route like the current table. Input: the
 * routing table, what HAProxy was last programmed with, the domain and the slot sizes; output:
 * the runtime API commands in a safe order and what HAProxy holds once they are applied.
 *
 * ```
 *   table ──┐
 *           ├─▶ planSync ─▶ { commands, next } ─▶ applier (data-plane.ts, one command at a time)
 * programmed┘
 * ```
 * Servers are pre-declared in each slot (`server-template`, see `render-config.ts`: HAProxy 2.6
 * does not pool connections to servers made with `add server`), so an instance *takes* a free
 * server of its tier (address, name in the servers map, ready) and *releases* it when it goes
 * (maintenance, sessions cut, name cleared). Order within a deployment: servers are taken before
 * its map entry appears and released after it is gone, so a request never reaches an empty slot.
 * Only deployments with a usable healthy instance that are neither shut down nor restoring are
 * programmed; every other key falls through to the Node proxy (coded 404/503, the hold).
 */
import { isValidId } from '@wharf/model';
import type { Route, RouteTable } from '../route-table';
import { BACKUP_PREFIX, PRIMARY_PREFIX, slotName } from './render-config';

/** Where an instance should be: its address and whether it is a fallback-zone (backup) one. */
export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  /** A later preference tier (another zone): HAProxy `backup`, used when the first tier is down. */
  readonly backup: boolean;
}

/** An instance placed on one of a slot's servers. */
export interface ProgrammedServer extends ServerTarget {
  /** The slot's server it took (`s3`, `b1`). */
  readonly server: string;
}

/** One deployment HAProxy routes itself: its slot and instance id → server. */
export interface ProgrammedDeployment {
  readonly slot: string;
  readonly servers: ReadonlyMap<string, ProgrammedServer>;
}

/** What HAProxy holds: deployment id → its slot and servers. */
export type Programmed = ReadonlyMap<string, ProgrammedDeployment>;

/** A runtime API command (rendered by {@link renderCommand}). */
export type SyncCommand =
  | { readonly op: 'add-map'; readonly key: string; readonly slot: string }
  | { readonly op: 'del-map'; readonly key: string }
  | {
      readonly op: 'take';
      readonly slot: string;
      readonly server: string;
      readonly instance: string;
      readonly target: ServerTarget;
    }
  | { readonly op: 'set-addr'; readonly slot: string; readonly server: string; readonly target: ServerTarget }
  | { readonly op: 'release'; readonly slot: string; readonly server: string };

/** Slot sizes (`render-config.ts`). */
export interface SlotShape {
  readonly slots: number;
  /** Servers per tier in each slot. */
  readonly serversPerTier: number;
}

/** The outcome of {@link planSync}. */
export interface SyncPlan {
  readonly commands: readonly SyncCommand[];
  /** What HAProxy holds once every command succeeded. */
  readonly next: Programmed;
  /** Deployments left to the Node proxy because every slot is taken. */
  readonly unplaced: readonly string[];
  /** Instances left out because their tier's servers in the slot are all taken. */
  readonly droppedInstances: number;
}

/** The map key of a deployment: what `txn.key` holds for its requests. */
export function mapKey(deploymentId: string, domain: string): string {
  return `${deploymentId}.${domain}`;
}

/**
 * What may go into a runtime API line as an address: the API splits commands on `;` and lines on
 * newlines, so a host from a route document is never written there unchecked.
 */
const SAFE_HOST = /^[A-Za-z0-9.:-]{1,253}$/;

/** The instances a route should have in its slot (unusable addresses and ids left out). */
export function targetsOf(route: Route): Map<string, ServerTarget> {
  const targets = new Map<string, ServerTarget>();
  route.tiers.forEach((tier, index) => {
    for (const t of tier) {
      if (!SAFE_HOST.test(t.host) || !Number.isInteger(t.port) || t.port < 1 || t.port > 65_535) continue;
      if (!isValidId(t.instanceId)) continue;
      targets.set(t.instanceId, { host: t.host, port: t.port, backup: index > 0 });
    }
  });
  return targets;
}

/** Whether HAProxy should route `route` itself. */
export function routedByHaproxy(route: Route): boolean {
  return route.shutdown !== true && route.restoring !== true && targetsOf(route).size > 0;
}

/** The commands that turn `programmed` into `table`; see the module comment for the order. */
export function planSync(
  table: RouteTable,
  programmed: Programmed,
  domain: string,
  shape: SlotShape,
): SyncPlan {
  const commands: SyncCommand[] = [];
  const next = new Map<string, ProgrammedDeployment>();
  const unplaced: string[] = [];
  let droppedInstances = 0;
  const used = new Set<string>();
  for (const [id, was] of programmed) {
    const route = table.routes.get(id);
    if (route !== undefined && routedByHaproxy(route)) {
      used.add(was.slot);
      const placed = placeServers(was.slot, was.servers, targetsOf(route), shape.serversPerTier);
      next.set(id, { slot: was.slot, servers: placed.servers });
      commands.push(...placed.commands);
      droppedInstances += placed.dropped;
    } else {
      commands.push({ op: 'del-map', key: mapKey(id, domain) });
      for (const s of was.servers.values())
        commands.push({ op: 'release', slot: was.slot, server: s.server });
    }
  }
  let free = 0;
  for (const route of table.routes.values()) {
    if (next.has(route.deploymentId) || !routedByHaproxy(route)) continue;
    while (free < shape.slots && used.has(slotName(free))) free += 1;
    if (free >= shape.slots) {
      unplaced.push(route.deploymentId);
      continue;
    }
    const slot = slotName(free);
    used.add(slot);
    const placed = placeServers(slot, new Map(), targetsOf(route), shape.serversPerTier);
    next.set(route.deploymentId, { slot, servers: placed.servers });
    commands.push(...placed.commands, { op: 'add-map', key: mapKey(route.deploymentId, domain), slot });
    droppedInstances += placed.dropped;
  }
  return { commands, next, unplaced, droppedInstances };
}

/** Instances that stay keep their server; new ones take free servers of their tier; gone ones release theirs. */
function placeServers(
  slot: string,
  was: ReadonlyMap<string, ProgrammedServer>,
  now: ReadonlyMap<string, ServerTarget>,
  perTier: number,
): { commands: SyncCommand[]; servers: Map<string, ProgrammedServer>; dropped: number } {
  const commands: SyncCommand[] = [];
  const releases: SyncCommand[] = [];
  const servers = new Map<string, ProgrammedServer>();
  const taken = new Set<string>();
  for (const [instance, before] of was) {
    const target = now.get(instance);
    if (target === undefined || target.backup !== before.backup) continue;
    servers.set(instance, { ...target, server: before.server });
    taken.add(before.server);
    if (target.host !== before.host || target.port !== before.port) {
      commands.push({ op: 'set-addr', slot, server: before.server, target });
    }
  }
  // A server released in this very plan is not reused by it: its sessions are cut after the takes.
  for (const before of was.values()) taken.add(before.server);
  let dropped = 0;
  for (const [instance, target] of now) {
    if (servers.has(instance)) continue;
    const server = freeServer(target.backup ? BACKUP_PREFIX : PRIMARY_PREFIX, perTier, taken);
    if (server === undefined) {
      dropped += 1;
      continue;
    }
    taken.add(server);
    servers.set(instance, { ...target, server });
    commands.push({ op: 'take', slot, server, instance, target });
  }
  for (const [instance, before] of was) {
    if (servers.get(instance)?.server !== before.server)
      releases.push({ op: 'release', slot, server: before.server });
  }
  return { commands: [...commands, ...releases], servers, dropped };
}

function freeServer(prefix: string, perTier: number, taken: ReadonlySet<string>): string | undefined {
  for (let i = 1; i <= perTier; i += 1) {
    if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
  }
  return undefined;
}

/** Paths of the two map files. */
export interface MapPaths {
  /** `<id>.<domain>` → slot. */
  readonly routes: string;
  /** `<slot>/<server>` → instance id (`-` when free): the `X-Wharf-Handling-Instance` value. */
  readonly servers: string;
}

/** The runtime API lines of one command. */
export function renderCommand(command: SyncCommand, maps: MapPaths): string[] {
  switch (command.op) {
    case 'add-map':
      return [`add map ${maps.routes} ${command.key} ${command.slot}`];
    case 'del-map':
      return [`del map ${maps.routes} ${command.key}`];
    case 'take': {
      const name = `${command.slot}/${command.server}`;
      const { host, port } = command.target;
      return [
        `set server ${name} addr ${host} port ${port}`,
        `set map ${maps.servers} ${name} ${command.instance}`,
        `set server ${name} state ready`,
      ];
    }
    case 'set-addr': {
      const { host, port } = command.target;
      return [`set server ${command.slot}/${command.server} addr ${host} port ${port}`];
    }
    case 'release': {
      const name = `${command.slot}/${command.server}`;
      return [
        `set server ${name} state maint`,
        `shutdown sessions server ${name}`,
        `set map ${maps.servers} ${name} -`,
      ];
    }
  }
}
