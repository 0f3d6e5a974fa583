/**
 * Port allocation: picks named ports for an instance from the allocator's range, skipping every
 * port another instance of this allocator holds (reserved or running) and every port the host
 * check reports busy. The choice is deterministic (lowest first) so tests and operators can
 * predict it; the host check is injected so this stays free of I/O.
 */
import { WharfError } from '@wharf/model';
import { type PortRange } from './options';

/** Named ports, e.g. `{ client: 20000, peer: 20001 }`. */
export type PortMap = Record<string, number>;

/** Tells whether a port is free on the host address right now (a bind test in production). */
export type PortCheck = (port: number) => Promise<boolean>;

/** Every port held by the given instances' port maps. */
export function heldPorts(maps: Iterable<PortMap>): Set<number> {
  const held = new Set<number>();
  for (const map of maps) for (const port of Object.values(map)) held.add(port);
  return held;
}

/**
 * Allocates one port per name from `range`, never one in `held`, only ones `isFree` accepts.
 * Throws `WHARF_NO_CAPACITY` when the range runs out. Does not mutate `held`.
 */
export async function allocatePorts(
  names: readonly string[],
  range: PortRange,
  held: ReadonlySet<number>,
  isFree: PortCheck,
): Promise<PortMap> {
  const ports: PortMap = {};
  let next = range.from;
  for (const name of names) {
    let chosen: number | undefined;
    for (; next <= range.to && chosen === undefined; next++) {
      if (held.has(next)) continue;
      if (await isFree(next)) chosen = next;
    }
    if (chosen === undefined) {
      throw new WharfError('WHARF_NO_CAPACITY', 'no free port left in the allocator port range', {
        details: { range, wanted: names, name },
      });
    }
    ports[name] = chosen;
  }
  return ports;
}

/** True when `ports` has exactly the names the stack pack wants, each inside `range`. */
export function portsFit(ports: PortMap, names: readonly string[], range: PortRange): boolean {
  const keys = Object.keys(ports);
  if (keys.length !== names.length || !names.every((n) => n in ports)) return false;
  return Object.values(ports).every((p) => p >= range.from && p <= range.to);
}
