/**
 * **Pure**: what the HAProxy data plane must change to route like the current table. Input: the
 * routing table, what HAProxy was last programmed with, the domain and the slot count; output:
 * the runtime API commands in a safe order and what HAProxy holds once they are applied.
 *
 * ```
 *   table ──┐
 *           ├─▶ planSync ─▶ { commands, next } ─▶ applier (data-plane.ts, one command at a time)
 * programmed┘
 * ```
 * Order within a deployment: servers are added and made ready before its map entry appears, and
 * the map entry goes before its servers are removed, so a request never reaches an empty slot.
 * Only deployments with at least one healthy instance that are neither shut down nor restoring
 * are programmed; every other key falls through to the Node proxy (coded 404/503, the hold).
 */
import type { Route, RouteTable } from '../route-table';
import { slotName } from './render-config';

/** One server of a slot: an instance (named by its id) and whether it is a fallback-zone one. */
export interface ProgrammedServer {
  readonly host: string;
  readonly port: number;
  /** A later preference tier (another zone): HAProxy `backup`, used when the first tier is down. */
  readonly backup: boolean;
}

/** One deployment HAProxy routes itself. */
export interface ProgrammedDeployment {
  readonly slot: string;
  readonly servers: ReadonlyMap<string, ProgrammedServer>;
}

/** What HAProxy holds: deployment id → its slot and servers. */
export type Programmed = ReadonlyMap<string, ProgrammedDeployment>;

/** A runtime API command (rendered by {@link renderCommand}). */
export type SyncCommand =
  | { readonly op: 'add-map' | 'set-map'; readonly key: string; readonly slot: string }
  | { readonly op: 'del-map'; readonly key: string }
  | {
      readonly op: 'add-server';
      readonly slot: string;
      readonly server: string;
      readonly target: ProgrammedServer;
    }
  | {
      readonly op: 'set-addr';
      readonly slot: string;
      readonly server: string;
      readonly target: ProgrammedServer;
    }
  | { readonly op: 'ready' | 'remove'; readonly slot: string; readonly server: string };

/** The outcome of {@link planSync}. */
export interface SyncPlan {
  readonly commands: readonly SyncCommand[];
  /** What HAProxy holds once every command succeeded. */
  readonly next: Programmed;
  /** Deployments left to the Node proxy because every slot is taken. */
  readonly unplaced: readonly string[];
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

/** Whether HAProxy should route `route` itself. */
export function routedByHaproxy(route: Route): boolean {
  return route.shutdown !== true && route.restoring !== true && serversOf(route).size > 0;
}

/** The servers a route should have in its slot (instances with an unusable address left out). */
export function serversOf(route: Route): Map<string, ProgrammedServer> {
  const servers = new Map<string, ProgrammedServer>();
  route.tiers.forEach((tier, index) => {
    for (const t of tier) {
      if (!SAFE_HOST.test(t.host) || !Number.isInteger(t.port) || t.port < 1 || t.port > 65_535) continue;
      servers.set(t.instanceId, { host: t.host, port: t.port, backup: index > 0 });
    }
  });
  return servers;
}

/** The commands that turn `programmed` into `table`; see the module comment for the order. */
export function planSync(table: RouteTable, programmed: Programmed, domain: string, slots: number): SyncPlan {
  const commands: SyncCommand[] = [];
  const next = new Map<string, ProgrammedDeployment>();
  const unplaced: string[] = [];
  for (const [id, was] of programmed) {
    const route = table.routes.get(id);
    if (route !== undefined && routedByHaproxy(route)) continue;
    commands.push({ op: 'del-map', key: mapKey(id, domain) });
    for (const server of was.servers.keys()) commands.push({ op: 'remove', slot: was.slot, server });
  }
  const used = new Set<string>();
  for (const [id, was] of programmed) {
    const route = table.routes.get(id);
    if (route === undefined || !routedByHaproxy(route)) continue;
    used.add(was.slot);
    next.set(id, { slot: was.slot, servers: serversOf(route) });
    commands.push(...serverChanges(was.slot, was.servers, serversOf(route)));
  }
  let free = 0;
  for (const route of table.routes.values()) {
    if (!routedByHaproxy(route) || next.has(route.deploymentId)) continue;
    while (free < slots && used.has(slotName(free))) free += 1;
    if (free >= slots) {
      unplaced.push(route.deploymentId);
      continue;
    }
    const slot = slotName(free);
    used.add(slot);
    const servers = serversOf(route);
    next.set(route.deploymentId, { slot, servers });
    commands.push(...serverChanges(slot, new Map(), servers));
    commands.push({ op: 'add-map', key: mapKey(route.deploymentId, domain), slot });
  }
  return { commands, next, unplaced };
}

/** Added servers first (ready before traffic may need them), then moved ones, then removed ones. */
function serverChanges(
  slot: string,
  was: ReadonlyMap<string, ProgrammedServer>,
  now: ReadonlyMap<string, ProgrammedServer>,
): SyncCommand[] {
  const commands: SyncCommand[] = [];
  for (const [server, target] of now) {
    const before = was.get(server);
    if (before === undefined) {
      commands.push({ op: 'add-server', slot, server, target }, { op: 'ready', slot, server });
    } else if (before.backup !== target.backup) {
      // `backup` cannot be changed at runtime: the server is added again.
      commands.push({ op: 'remove', slot, server }, { op: 'add-server', slot, server, target });
      commands.push({ op: 'ready', slot, server });
    } else if (before.host !== target.host || before.port !== target.port) {
      commands.push({ op: 'set-addr', slot, server, target });
    }
  }
  for (const server of was.keys()) {
    if (!now.has(server)) commands.push({ op: 'remove', slot, server });
  }
  return commands;
}

/** The runtime API lines of one command (`remove` is three: maint, cut sessions, delete). */
export function renderCommand(command: SyncCommand, mapPath: string): string[] {
  switch (command.op) {
    case 'add-map':
      return [`add map ${mapPath} ${command.key} ${command.slot}`];
    case 'set-map':
      return [`set map ${mapPath} ${command.key} ${command.slot}`];
    case 'del-map':
      return [`del map ${mapPath} ${command.key}`];
    case 'add-server': {
      const { host, port, backup } = command.target;
      const extra = backup ? ' backup' : '';
      return [`add server ${command.slot}/${command.server} ${host}:${port}${extra}`];
    }
    case 'set-addr': {
      const { host, port } = command.target;
      return [`set server ${command.slot}/${command.server} addr ${host} port ${port}`];
    }
    case 'ready':
      return [`set server ${command.slot}/${command.server} state ready`];
    case 'remove': {
      const name = `${command.slot}/${command.server}`;
      return [`set server ${name} state maint`, `shutdown sessions server ${name}`, `del server ${name}`];
    }
  }
}
