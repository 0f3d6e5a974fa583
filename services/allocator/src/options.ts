/**
 * Allocator configuration: `AllocatorOptions` (what a caller may give) → `compileAllocatorOptions()`
 * (defaults filled once, validated, frozen). Nothing here reads `process.env`; `main.ts` does.
 */
import { join } from 'node:path';
import { WharfError, assertId } from '@wharf/model';

/** Share of host RAM advertised by default (ECE's rule: 85%, the rest is for the host). */
export const DEFAULT_CAPACITY_SHARE = 0.85;
/** Default port range for instances (documented in docs/coordination.md). */
export const DEFAULT_PORT_RANGE: PortRange = Object.freeze({ from: 20_000, to: 20_999 });
/** How often probes run: frequent enough that `running` shows within a couple of seconds. */
export const DEFAULT_PROBE_INTERVAL_MS = 2_000;
/** A probe slower than this counts as failed: an instance that slow is not serving. */
/**
 * Probe cadence for instances still `starting`: the first passing probe is what makes a new
 * deployment routable, so waiting a whole {@link DEFAULT_PROBE_INTERVAL_MS} for it would add up
 * to 2 s to every plan. 100 ms costs one local HTTP request per starting instance.
 */
export const STARTING_PROBE_INTERVAL_MS = 100;
export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;
/** Consecutive failed probes before a running instance is reported unhealthy (rides out a GC pause). */
export const DEFAULT_UNHEALTHY_AFTER_FAILURES = 3;
/** First restart delay after a crash: quick enough for a one-off crash to be invisible. */
export const DEFAULT_BACKOFF_BASE_MS = 500;
/** Longest restart delay: a crash-looping instance still retries twice a minute. */
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
/** Healthy this long before a crash and the back-off starts again from the base. */
export const DEFAULT_BACKOFF_RESET_AFTER_MS = 60_000;
/** Periodic full reconcile: catches anything a missed event would leave behind. */
export const DEFAULT_TICK_INTERVAL_MS = 5_000;
/** Data directories are measured once per metering tick: a finer figure is not billed finer. */
export const DEFAULT_DATA_USAGE_INTERVAL_MS = 60_000;
/** Graceful stop before the runtime kills an instance (etcd flushes its WAL within this). */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** An inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}

/** What `createAllocator` accepts; everything but `id` and `home` has a default. */
export interface AllocatorOptions {
  /** Allocator id (a valid Wharf id). */
  id: string;
  /** WHARF_HOME: instance data lives under `<home>/allocators/<id>/instances/<instance>`. */
  home: string;
  zone?: string;
  /** Address instances bind and are reached on. */
  host?: string;
  portRange?: PortRange;
  /** Advertised memory capacity in MB (default: 85% of `hostMemoryMb`). */
  capacityMb?: number;
  /** Advertised CPUs (default: `hostCpus`). */
  cpus?: number;
  /** Host facts used for the defaults above (main.ts passes `os.totalmem()` / `os.cpus()`). */
  hostMemoryMb?: number;
  hostCpus?: number;
  tags?: Record<string, string>;
  runtimeKind?: 'process' | 'docker';
  /** Version advertised (package version). */
  version?: string;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  unhealthyAfterFailures?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  backoffResetAfterMs?: number;
  tickIntervalMs?: number;
  /** Time between two measurements of an instance's data directory (storage metering). */
  dataUsageIntervalMs?: number;
  stopTimeoutMs?: number;
  /** Port the observability server listens on (advertised in the service registration). */
  metricsPort?: number;
  /** Address it listens on (advertised with the port); default: `host`. */
  metricsHost?: string;
}

/** The compiled, frozen configuration. */
export interface CompiledAllocatorOptions {
  readonly id: string;
  readonly home: string;
  /** `<home>/allocators/<id>`. */
  readonly allocatorDir: string;
  readonly zone: string;
  readonly host: string;
  readonly portRange: Readonly<PortRange>;
  readonly capacityMb: number;
  readonly cpus: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly runtimeKind: 'process' | 'docker';
  readonly version: string;
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly unhealthyAfterFailures: number;
  readonly backoff: Readonly<BackoffPolicy>;
  readonly tickIntervalMs: number;
  readonly dataUsageIntervalMs: number;
  readonly stopTimeoutMs: number;
  readonly metricsPort?: number;
  readonly metricsHost?: string;
}

/** Restart back-off policy. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  resetAfterMs: number;
}

const TAG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** Fills defaults, validates and freezes. Throws `WHARF_VALIDATION` on bad input. */
export function compileAllocatorOptions(options: AllocatorOptions): CompiledAllocatorOptions {
  const id = assertId('allocator', options.id);
  const zone = assertId('zone', options.zone ?? 'zone-a');
  const portRange = options.portRange ?? DEFAULT_PORT_RANGE;
  validatePortRange(portRange);
  const hostMemoryMb = options.hostMemoryMb ?? 0;
  const capacityMb = Math.floor(options.capacityMb ?? hostMemoryMb * DEFAULT_CAPACITY_SHARE);
  const cpus = options.cpus ?? options.hostCpus ?? 1;
  requirePositive('capacityMb', capacityMb);
  requirePositive('cpus', cpus);
  const tags = { ...(options.tags ?? {}) };
  for (const key of Object.keys(tags)) {
    if (!TAG_KEY.test(key)) invalid(`tag key ${JSON.stringify(key)} must match ${TAG_KEY.source}`);
  }
  const config: CompiledAllocatorOptions = {
    id,
    home: options.home,
    allocatorDir: join(options.home, 'allocators', id),
    zone,
    host: options.host ?? '127.0.0.1',
    portRange: Object.freeze({ ...portRange }),
    capacityMb,
    cpus,
    tags: Object.freeze(tags),
    runtimeKind: options.runtimeKind ?? 'process',
    version: options.version ?? '0.1.0',
    probeIntervalMs: options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
    probeTimeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    unhealthyAfterFailures: options.unhealthyAfterFailures ?? DEFAULT_UNHEALTHY_AFTER_FAILURES,
    backoff: Object.freeze({
      baseMs: options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
      maxMs: options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS,
      resetAfterMs: options.backoffResetAfterMs ?? DEFAULT_BACKOFF_RESET_AFTER_MS,
    }),
    tickIntervalMs: options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS,
    dataUsageIntervalMs: options.dataUsageIntervalMs ?? DEFAULT_DATA_USAGE_INTERVAL_MS,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
    ...(options.metricsHost === undefined ? {} : { metricsHost: options.metricsHost }),
  };
  return Object.freeze(config);
}

/** Parses `20000-20999`. */
export function parsePortRange(text: string): PortRange {
  const match = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!match) return invalid(`port range ${JSON.stringify(text)} must look like 20000-20999`);
  const range = { from: Number(match[1]), to: Number(match[2]) };
  validatePortRange(range);
  return range;
}

/** Parses `k=v,k2=v2` (empty string → no tags). */
export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) invalid(`tag ${JSON.stringify(item)} must look like key=value`);
    const key = item.slice(0, eq).trim();
    if (!TAG_KEY.test(key)) invalid(`tag key ${JSON.stringify(key)} must match ${TAG_KEY.source}`);
    tags[key] = item.slice(eq + 1).trim();
  }
  return tags;
}

function validatePortRange(range: PortRange): void {
  const ok =
    Number.isInteger(range.from) &&
    Number.isInteger(range.to) &&
    range.from >= 1 &&
    range.to <= 65_535 &&
    range.from <= range.to;
  if (!ok) invalid(`port range ${range.from}-${range.to} must satisfy 1 <= from <= to <= 65535`);
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) invalid(`${name} must be a positive number (got ${value})`);
}

function invalid(message: string): never {
  throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: 'allocator', message }] });
}
