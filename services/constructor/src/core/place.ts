/**
 * Placement: new instances → allocators. Pure and deterministic.
 *
 * Eligible allocators have a live node, `maintenance: false`, a zone in the instance
 * configuration's `allowed_zones` and every tag of its `allocator_filter`. Among those with room
 * (memory first, then cpus) the best allocator is the first by:
 *   1. fewest instances of the same topology element in its zone (one per zone before a second),
 *   2. fewest instances of the same deployment on it (anti-affinity, soft),
 *   3. most free memory,
 *   4. allocator id.
 * CPU follows ECE's rule: an instance gets `cpus × memory_mb / capacity_mb × cpu_multiplier`, so
 * with the default multiplier of 1 memory is the binding constraint.
 */
import { FAILURE_TYPES, type AllocatorAdvertisement, type InstanceSpec, type WharfError } from '@wharf/model';
import { attemptFailure } from './failure';

/** An allocator as placement sees it. */
export interface AllocatorView {
  advertisement: AllocatorAdvertisement;
  /** True while its ephemeral `live` node exists. */
  live: boolean;
}

/** Constraints from the instance configuration. */
export interface PlacementConstraints {
  allowed_zones?: readonly string[];
  allocator_filter?: Readonly<Record<string, string>>;
  cpu_multiplier?: number;
}

/** One instance to place. */
export interface PlacementRequest {
  instance_id: string;
  deployment_id: string;
  ref_id: string;
  topology_id: string;
  memory_mb: number;
  constraints?: PlacementConstraints;
  /**
   * Existing instances that count for zone spread (the kept members of the same topology
   * element). Defaults to every existing spec of the same deployment, ref and topology element.
   */
  peers?: readonly string[];
}

/** Where one instance goes. */
export interface Placement {
  instance_id: string;
  allocator_id: string;
  zone: string;
}

/** The outcome of {@link place}. */
export type PlaceResult = { ok: true; placements: Placement[] } | { ok: false; error: WharfError };

interface Candidate {
  id: string;
  zone: string;
  ad: AllocatorAdvertisement;
  usedMb: number;
  usedCpus: number;
  /** Instances on it per deployment (anti-affinity). */
  perDeployment: Map<string, number>;
}

/**
 * The specs placement counts, looked up by allocator and by instance id: what a cache keeps
 * incrementally, so a placement costs O(allocators + their specs), not O(allocators × specs).
 */
export interface SpecIndex {
  /** The specs on one allocator. */
  specsOn(allocatorId: string): Iterable<InstanceSpec>;
  /** One spec by instance id. */
  spec(instanceId: string): InstanceSpec | undefined;
  /** Every spec. */
  all(): Iterable<InstanceSpec>;
}

/** A {@link SpecIndex} over a list of specs. */
export function indexSpecs(specs: readonly InstanceSpec[]): SpecIndex {
  const byAllocator = new Map<string, InstanceSpec[]>();
  const byId = new Map<string, InstanceSpec>();
  for (const s of specs) {
    const list = byAllocator.get(s.allocator_id) ?? [];
    list.push(s);
    byAllocator.set(s.allocator_id, list);
    byId.set(s.instance_id, s);
  }
  return { specsOn: (a) => byAllocator.get(a) ?? [], spec: (id) => byId.get(id), all: () => specs };
}

/** Places every request or none: NoCapacity names the first instance that fits nowhere and why. */
export function place(
  requests: readonly PlacementRequest[],
  allocators: readonly AllocatorView[],
  existing: readonly InstanceSpec[] | SpecIndex,
): PlaceResult {
  const index = Array.isArray(existing) ? indexSpecs(existing) : (existing as SpecIndex);
  const candidates = buildCandidates(allocators, index);
  const placements: Placement[] = [];
  const zoneCounts = initialZoneCounts(requests, index);
  for (const req of requests) {
    const group = groupOf(req);
    const counts = zoneCounts.get(group) ?? new Map<string, number>();
    zoneCounts.set(group, counts);
    let best: Candidate | undefined;
    for (const c of candidates) {
      if (!eligible(c, req) || !fits(c, req)) continue;
      if (!best || compareCandidates(c, best, req, counts) < 0) best = c;
    }
    if (!best) return { ok: false, error: noCapacity(req, allocators, candidates) };
    best.usedMb += req.memory_mb;
    best.usedCpus += cpuDemand(best.ad, req.memory_mb, req.constraints?.cpu_multiplier);
    best.perDeployment.set(req.deployment_id, (best.perDeployment.get(req.deployment_id) ?? 0) + 1);
    counts.set(best.zone, (counts.get(best.zone) ?? 0) + 1);
    placements.push({ instance_id: req.instance_id, allocator_id: best.id, zone: best.zone });
  }
  return { ok: true, placements };
}

/** Usable allocators with what is already placed on them. */
function buildCandidates(allocators: readonly AllocatorView[], index: SpecIndex): Candidate[] {
  const out: Candidate[] = [];
  for (const a of allocators) {
    if (!a.live || a.advertisement.maintenance) continue;
    const c: Candidate = {
      id: a.advertisement.id,
      zone: a.advertisement.zone,
      ad: a.advertisement,
      usedMb: 0,
      usedCpus: 0,
      perDeployment: new Map(),
    };
    for (const s of index.specsOn(c.id)) {
      c.usedMb += s.memory_mb;
      c.usedCpus += cpuDemand(a.advertisement, s.memory_mb, 1);
      c.perDeployment.set(s.deployment_id, (c.perDeployment.get(s.deployment_id) ?? 0) + 1);
    }
    out.push(c);
  }
  return out;
}

/** Zone counts per topology element from the existing peers of each request. */
function initialZoneCounts(
  requests: readonly PlacementRequest[],
  index: SpecIndex,
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const req of requests) {
    const group = groupOf(req);
    if (out.has(group)) continue;
    const counts = new Map<string, number>();
    const count = (s: InstanceSpec): void => {
      counts.set(s.zone, (counts.get(s.zone) ?? 0) + 1);
    };
    if (req.peers) {
      // Looked up by id: no scan of every spec in the installation per request.
      for (const id of req.peers) {
        const s = index.spec(id);
        if (s) count(s);
      }
    } else {
      for (const s of index.all()) if (groupOfSpec(s) === group) count(s);
    }
    out.set(group, counts);
  }
  return out;
}

/** Zone and tag constraints. */
function eligible(c: Candidate, req: PlacementRequest): boolean {
  const zones = req.constraints?.allowed_zones;
  if (zones && zones.length > 0 && !zones.includes(c.zone)) return false;
  return tagsMatch(c.ad.tags, req.constraints?.allocator_filter);
}

/** True when the allocator carries every `key: value` of the filter. */
export function tagsMatch(
  tags: Readonly<Record<string, string>>,
  filter: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(filter ?? {}).every(([k, v]) => tags[k] === v);
}

/** Memory, then cpus. */
function fits(c: Candidate, req: PlacementRequest): boolean {
  if (freeMb(c) < req.memory_mb) return false;
  const demand = cpuDemand(c.ad, req.memory_mb, req.constraints?.cpu_multiplier);
  return c.usedCpus + demand <= c.ad.capacity.cpus + CPU_EPSILON;
}

/** Float slack so that exactly-full cpu capacity still fits. */
const CPU_EPSILON = 1e-9;

function freeMb(c: Candidate): number {
  return c.ad.capacity.memory_mb - c.usedMb;
}

/** ECE's CPU share: proportional to memory over capacity, scaled by the configuration's multiplier. */
export function cpuDemand(ad: AllocatorAdvertisement, memoryMb: number, multiplier = 1): number {
  if (ad.capacity.memory_mb <= 0) return Number.POSITIVE_INFINITY;
  return (ad.capacity.cpus * memoryMb * multiplier) / ad.capacity.memory_mb;
}

function compareCandidates(
  a: Candidate,
  b: Candidate,
  req: PlacementRequest,
  counts: Map<string, number>,
): number {
  const byZone = (counts.get(a.zone) ?? 0) - (counts.get(b.zone) ?? 0);
  if (byZone !== 0) return byZone;
  const mineOn = (c: Candidate) => c.perDeployment.get(req.deployment_id) ?? 0;
  const byAffinity = mineOn(a) - mineOn(b);
  if (byAffinity !== 0) return byAffinity;
  const byFree = freeMb(b) - freeMb(a);
  if (byFree !== 0) return byFree;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function groupOf(req: PlacementRequest): string {
  return `${req.deployment_id}/${req.ref_id}/${req.topology_id}`;
}

function groupOfSpec(s: InstanceSpec): string {
  return `${s.deployment_id}/${s.ref_id}/${s.topology_id}`;
}

/** The NoCapacity error: which instance, how much it needs, the best free memory, and exclusions. */
function noCapacity(
  req: PlacementRequest,
  allocators: readonly AllocatorView[],
  candidates: readonly Candidate[],
): WharfError {
  const excluded: Record<string, string> = {};
  for (const a of allocators) {
    if (!a.live) excluded[a.advertisement.id] = 'not live';
    else if (a.advertisement.maintenance) excluded[a.advertisement.id] = 'in maintenance';
  }
  for (const c of candidates) {
    if (!eligible(c, req)) excluded[c.id] = 'zone or tags do not match the instance configuration';
  }
  const usable = candidates.filter((c) => eligible(c, req));
  const largestFree = usable.reduce((max, c) => Math.max(max, freeMb(c)), 0);
  const shortfall = Math.max(0, req.memory_mb - largestFree);
  const exclusions = Object.entries(excluded).map(([id, why]) => `${id}: ${why}`);
  const why =
    usable.length === 0
      ? 'no eligible allocator'
      : shortfall > 0
        ? `largest free memory on an eligible allocator is ${largestFree} MB (short by ${shortfall} MB)`
        : 'not enough cpus on any eligible allocator';
  const message =
    `no capacity for instance ${req.instance_id} (${req.memory_mb} MB): ${why}; ` +
    `${usable.length} of ${allocators.length} allocators eligible` +
    (exclusions.length > 0 ? ` (excluded: ${exclusions.join(', ')})` : '');
  return attemptFailure('WHARF_NO_CAPACITY', FAILURE_TYPES.noCapacity, message, {
    instance_id: req.instance_id,
    memory_mb: req.memory_mb,
    largest_free_mb: largestFree,
    shortfall_mb: shortfall,
    eligible_allocators: usable.length,
    excluded,
  });
}
