import { parseEnsembleConfig } from './ensemble-config';

/*
 * The pure part of following the ensemble's membership (Java's `ZooKeeper.updateServerList` fed
 * by Curator's `EnsembleTracker`): from the text of `/zookeeper/config` and the list the client
 * uses now, the list it should use for its next (re)connection — or null to keep the current one.
 */

/** One address a client may connect to. */
export interface ZkServerAddress {
  readonly host: string;
  readonly port: number;
}

/** The port of a connect-string entry without one (the library's default too). */
export const DEFAULT_CLIENT_PORT = 2181;

/** `host[:port],…` (no chroot) → addresses, in order; entries with an invalid port are skipped. */
export function parseServerList(connectString: string): ZkServerAddress[] {
  const servers: ZkServerAddress[] = [];
  for (const raw of connectString.split(',')) {
    const entry = raw.trim();
    const at = entry.lastIndexOf(':');
    const host = at < 0 ? entry : entry.slice(0, at);
    const port = at < 0 ? DEFAULT_CLIENT_PORT : Number(entry.slice(at + 1));
    if (host !== '' && Number.isInteger(port) && port > 0 && port < 65536) servers.push({ host, port });
  }
  return servers;
}

/** Addresses → `host:port,…`. */
export function formatServerList(servers: readonly ZkServerAddress[]): string {
  return servers.map((s) => `${s.host}:${s.port}`).join(',');
}

/** True when both lists hold the same addresses, in any order. */
export function sameServers(a: readonly ZkServerAddress[], b: readonly ZkServerAddress[]): boolean {
  const key = (list: readonly ZkServerAddress[]): string =>
    [...new Set(list.map(formatOne))].sort().join(',');
  return key(a) === key(b);
}

function formatOne(s: ZkServerAddress): string {
  return `${s.host}:${s.port}`;
}

/**
 * The client addresses of every member (participants and observers) named in `configText`, or
 * null when the list should stay as it is: nothing usable in the text (empty, garbled, a standalone
 * server's empty node) or the same set as `current`. Never returns an empty list.
 *
 * - Plaintext: each `server.N=…;[addr:]clientPort` line's client port at the member's host (the
 *   address Wharf writes there is the host's own; ZooKeeper's wildcard bind would name none); a
 *   member without a client part has no plaintext port and is left out.
 * - `tls`: a TLS member's line carries no client part (its `;addr:port` would be a *plaintext*
 *   port, see `serverSpec`), and its secure client port is listed nowhere in the config. Wharf runs
 *   it on the same port number on every member, so it is taken from `current`: the one port every
 *   current entry uses, else the port of the same host if that host is listed exactly once; a
 *   member whose port cannot be known that way is left out rather than guessed.
 */
export function serversFromConfig(
  configText: string,
  current: readonly ZkServerAddress[],
  tls: boolean,
): ZkServerAddress[] | null {
  const members = parseEnsembleConfig(configText).servers;
  const next = new Map<string, ZkServerAddress>();
  for (const member of members) {
    const port = tls ? securePort(member.host, current) : member.clientPort;
    if (port !== undefined && port > 0) next.set(`${member.host}:${port}`, { host: member.host, port });
  }
  if (next.size === 0 || sameServers([...next.values()], current)) return null;
  return [...next.values()];
}

/** A TLS member's secure client port as `current` tells it (see {@link serversFromConfig}). */
function securePort(host: string, current: readonly ZkServerAddress[]): number | undefined {
  const ports = new Set(current.map((s) => s.port));
  if (ports.size === 1) return [...ports][0];
  const sameHost = current.filter((s) => s.host === host);
  return sameHost.length === 1 ? sameHost[0]!.port : undefined;
}
