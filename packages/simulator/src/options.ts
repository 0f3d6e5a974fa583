/** Options of a simulated fleet, compiled once: defaults filled, validated, frozen. */
import { WharfError, isValidId } from '@wharf/model';

/** Allocators in a fleet when not told: the default fleet size. */
export const DEFAULT_FLEET_SIZE = 1_000;

/**
 * Simulated allocators per ZooKeeper session. A real allocator has a session of its own; a few
 * hundred per session keeps the server's per-session work (pings, watch tables) realistic in
 * aggregate while one Node process can hold thousands of allocators. 100 keeps a session's
 * outstanding requests in the low thousands during a burst.
 */
export const DEFAULT_ALLOCATORS_PER_SESSION = 100;

/** Zones when not told: ECE's usual three availability zones. */
export const DEFAULT_ZONES: readonly string[] = Object.freeze(['zone-a', 'zone-b', 'zone-c']);

/** Memory per allocator: a 16 GB host, the capacity of a typical small ECE allocator. */
export const DEFAULT_CAPACITY_MB = 16_384;

/** CPUs per allocator, advertised alongside the memory. */
export const DEFAULT_CPUS = 4;

/**
 * Simulated start time of an instance (released spec → running and healthy): uniform in
 * [min, max]. 100–300 ms is a process-runtime `http` instance's start plus its first probe; a
 * Docker etcd member takes seconds (docs/benchmarks.md), which a scenario can ask for.
 */
export const DEFAULT_START_DELAY_MS: Readonly<{ min: number; max: number }> = Object.freeze({
  min: 100,
  max: 300,
});

/** Allocator registrations in flight at once while a fleet starts (bounds ZooKeeper's queue). */
export const DEFAULT_START_CONCURRENCY = 64;

/** Options of a {@link SimulatedFleet}. */
export interface FleetOptions {
  /** `host:port,...` of the ZooKeeper ensemble. */
  connectString: string;
  /** The installation's chroot (default `/wharf`, as the services use). */
  chroot?: string;
  /** Allocators to simulate. */
  count?: number;
  /** Zones, assigned round robin (allocator i is in zone i mod zones). */
  zones?: readonly string[];
  capacityMb?: number;
  cpus?: number;
  /** Prefix of allocator ids: `<prefix>-<zone>-<n>`. */
  idPrefix?: string;
  allocatorsPerSession?: number;
  startDelayMs?: { min: number; max: number };
  startConcurrency?: number;
  /** ZooKeeper session timeout of each shared session. */
  sessionTimeoutMs?: number;
  /** Random source in [0, 1) (injected for reproducible runs). */
  random?: () => number;
}

/** {@link FleetOptions} with defaults filled in. */
export interface CompiledFleetOptions {
  readonly connectString: string;
  readonly chroot: string;
  readonly count: number;
  readonly zones: readonly string[];
  readonly capacityMb: number;
  readonly cpus: number;
  readonly idPrefix: string;
  readonly allocatorsPerSession: number;
  readonly startDelayMs: Readonly<{ min: number; max: number }>;
  readonly startConcurrency: number;
  readonly sessionTimeoutMs: number | undefined;
  readonly random: () => number;
}

/** Fills defaults and validates; throws `WHARF_VALIDATION` naming the bad option. */
export function compileFleetOptions(o: FleetOptions): CompiledFleetOptions {
  const count = o.count ?? DEFAULT_FLEET_SIZE;
  const zones = o.zones ?? DEFAULT_ZONES;
  const idPrefix = o.idPrefix ?? 'sim';
  const delay = o.startDelayMs ?? DEFAULT_START_DELAY_MS;
  positiveInteger('count', count);
  positiveInteger('capacityMb', o.capacityMb ?? DEFAULT_CAPACITY_MB);
  positiveInteger('cpus', o.cpus ?? DEFAULT_CPUS);
  positiveInteger('allocatorsPerSession', o.allocatorsPerSession ?? DEFAULT_ALLOCATORS_PER_SESSION);
  positiveInteger('startConcurrency', o.startConcurrency ?? DEFAULT_START_CONCURRENCY);
  if (zones.length === 0 || !zones.every(isValidId)) invalid('zones', zones, 'a non-empty list of ids');
  if (!isValidId(`${idPrefix}-${zones[0] ?? 'z'}-${count}`)) invalid('idPrefix', idPrefix, 'an id prefix');
  if (!(delay.min >= 0 && delay.max >= delay.min)) invalid('startDelayMs', delay, '0 ≤ min ≤ max');
  return Object.freeze({
    connectString: o.connectString,
    chroot: o.chroot ?? '/wharf',
    count,
    zones: Object.freeze([...zones]),
    capacityMb: o.capacityMb ?? DEFAULT_CAPACITY_MB,
    cpus: o.cpus ?? DEFAULT_CPUS,
    idPrefix,
    allocatorsPerSession: o.allocatorsPerSession ?? DEFAULT_ALLOCATORS_PER_SESSION,
    startDelayMs: Object.freeze({ ...delay }),
    startConcurrency: o.startConcurrency ?? DEFAULT_START_CONCURRENCY,
    sessionTimeoutMs: o.sessionTimeoutMs,
    random: o.random ?? Math.random,
  });
}

/** The id of allocator `index` (0-based) of a fleet. */
export function allocatorIdOf(o: Pick<CompiledFleetOptions, 'idPrefix' | 'zones'>, index: number): string {
  return `${o.idPrefix}-${zoneOf(o, index)}-${index}`;
}

/** The zone of allocator `index`: round robin over the zones. */
export function zoneOf(o: Pick<CompiledFleetOptions, 'zones'>, index: number): string {
  return o.zones[index % o.zones.length] ?? 'zone-a';
}

function positiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) invalid(option, value, 'a positive integer');
}

function invalid(option: string, value: unknown, expected: string): never {
  throw new WharfError('WHARF_VALIDATION', `fleet option ${option} must be ${expected}`, {
    details: { option, value },
  });
}
