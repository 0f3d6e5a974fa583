/**
 * The leader's incremental view of `/allocators`: advertisements, live nodes, specs and statuses
 * kept from the tree cache's per-node events (O(1) per event; nothing is rebuilt from the whole
 * tree), plus a **ledger** of this constructor's own spec writes that the cache has not echoed
 * yet. Placement and change sets read it instead of scanning ZooKeeper, so:
 *
 * ```
 *  own create ──▶ ledger.created (counted at once) ──cache `added`──▶ plain cached spec
 *  own delete ──▶ ledger.deleted (hidden at once)  ──cache `removed`─▶ forgotten
 * ```
 *
 * A spec this leader created counts against its allocator from the moment it is placed, before
 * ZooKeeper's watch brings it back (no double-booking), and one it deleted is never resurrected
 * by a cache that is behind (a change set computed right after a removal does not see it).
 */
import { type AllocatorAdvertisement, type InstanceSpec, type InstanceStatus } from '@wharf/model';
import { type CachedNode, type NodeParser, type ObservedState } from '../core/observed';
import { type AllocatorView, type SpecIndex } from '../core/place';
import { ByDeployment } from './by-deployment';

/**
 * A deletion the cache never reports (the spec was gone before the cache read it) leaves its
 * tombstone behind; after this long it is dropped. Instance ids are not reused (change sets
 * reserve every id with a spec or a status), so a late drop costs memory only; one resync period
 * (30 s) plus margin.
 */
export const TOMBSTONE_TTL_MS = 60_000;

/** Where a `/allocators` path points. */
type Place =
  | { kind: 'allocator'; allocator: string }
  | { kind: 'live'; allocator: string }
  | { kind: 'spec' | 'status'; allocator: string; instance: string }
  | undefined;

function placeOf(path: string): Place {
  const [root, allocator, sub, instance, ...rest] = path.split('/').slice(1);
  if (root !== 'allocators' || allocator === undefined || rest.length > 0) return undefined;
  if (sub === undefined) return { kind: 'allocator', allocator };
  if (sub === 'live' && instance === undefined) return { kind: 'live', allocator };
  if (instance === undefined) return undefined;
  if (sub === 'instances') return { kind: 'spec', allocator, instance };
  if (sub === 'status') return { kind: 'status', allocator, instance };
  return undefined;
}

/** Allocators, specs and statuses maintained from cache events, plus the constructor's own writes. */
export class ObservedIndex implements SpecIndex {
  private readonly ads = new Map<string, AllocatorAdvertisement>();
  private readonly live = new Set<string>();
  private readonly known = new Set<string>();
  private readonly allocators = new Map<string, AllocatorView>();
  private readonly specs = new Map<string, InstanceSpec>();
  private readonly statuses = new Map<string, InstanceStatus>();
  private readonly byAllocator = new Map<string, Map<string, InstanceSpec>>();
  /** `specs` and `statuses` again, by deployment (kept with them: a step reads one deployment). */
  private readonly specsByDeployment = new ByDeployment<InstanceSpec>();
  private readonly statusesByDeployment = new ByDeployment<InstanceStatus>();
  /** Ledger: specs created here and not yet seen by the cache. */
  private readonly created = new Map<string, InstanceSpec>();
  /** Ledger: specs deleted here and not yet seen gone by the cache (instance id → when). */
  private readonly deleted = new Map<string, number>();
  private presence = 0;

  /** The live view (its maps change in place as events arrive). */
  readonly view: ObservedState = {
    allocators: this.allocators,
    specs: this.specs,
    statuses: this.statuses,
    live: this.live,
    known: this.known,
  };

  constructor(
    private readonly parse: NodeParser,
    private readonly now: () => number,
  ) {}

  /** Bumped whenever an allocator appears, goes, changes its advertisement or its live node. */
  get presenceVersion(): number {
    return this.presence;
  }

  /** Replaces the cached part with a full snapshot (the cache's `initialized`); the ledger stays. */
  load(nodes: ReadonlyMap<string, CachedNode>): void {
    for (const m of [this.ads, this.allocators, this.specs, this.statuses, this.byAllocator]) m.clear();
    this.specsByDeployment.clear();
    this.statusesByDeployment.clear();
    this.live.clear();
    this.known.clear();
    for (const [path, node] of nodes) this.put(path, node.data);
    for (const spec of this.created.values()) this.setSpec(spec);
    for (const id of this.deleted.keys()) this.removeSpec(id);
    this.presence++;
  }

  /** A node added or updated in the cache (its version is not needed here). */
  put(path: string, data: Buffer, _version?: number): void {
    const at = placeOf(path);
    if (!at) return;
    if (at.kind === 'allocator') {
      this.known.add(at.allocator);
      const ad = this.parse('allocator-advertisement', path, data);
      if (ad) this.ads.set(at.allocator, ad);
      else this.ads.delete(at.allocator);
      this.refreshAllocator(at.allocator);
    } else if (at.kind === 'live') {
      this.known.add(at.allocator);
      this.live.add(at.allocator);
      this.refreshAllocator(at.allocator);
    } else if (at.kind === 'spec') {
      if (this.isTombstoned(at.instance)) return;
      this.created.delete(at.instance);
      const spec = this.parse('instance-spec', path, data);
      if (spec) this.setSpec(spec);
      else this.removeSpec(at.instance, at.allocator);
    } else {
      const status = this.parse('instance-status', path, data);
      if (status) this.setStatus(at.instance, status);
      else this.removeStatus(at.instance);
    }
  }

  /** A node removed from the cache (children before parents). */
  remove(path: string): void {
    const at = placeOf(path);
    if (!at) return;
    if (at.kind === 'allocator') {
      this.known.delete(at.allocator);
      this.ads.delete(at.allocator);
      this.live.delete(at.allocator);
      this.refreshAllocator(at.allocator);
    } else if (at.kind === 'live') {
      this.live.delete(at.allocator);
      this.refreshAllocator(at.allocator);
    } else if (at.kind === 'spec') {
      this.deleted.delete(at.instance);
      // An older incarnation seen gone; a spec created here since stays counted.
      if (!this.created.has(at.instance)) this.removeSpec(at.instance, at.allocator);
    } else {
      this.removeStatus(at.instance);
    }
  }

  /** Ledger: specs this constructor is about to create (counted from now on). */
  recordCreated(specs: readonly InstanceSpec[]): void {
    for (const spec of specs) {
      this.deleted.delete(spec.instance_id);
      this.created.set(spec.instance_id, spec);
      this.setSpec(spec);
    }
  }

  /** Ledger: a create that failed; specs the cache has not seen are no longer counted. */
  forgetCreated(instanceIds: readonly string[]): void {
    for (const id of instanceIds) {
      if (!this.created.delete(id)) continue;
      this.removeSpec(id);
    }
  }

  /** Ledger: a spec this constructor deleted (hidden from now on, whatever the cache still holds). */
  recordDeleted(instanceId: string): void {
    this.created.delete(instanceId);
    this.deleted.set(instanceId, this.now());
    this.removeSpec(instanceId);
  }

  /** Entries of the ledger not echoed yet (for logs and tests). */
  ledgerSize(): { created: number; deleted: number } {
    return { created: this.created.size, deleted: this.deleted.size };
  }

  /** The specs of one deployment (`<deployment>-…` instance ids), cache and ledger together. */
  specsOfDeployment(deploymentId: string): InstanceSpec[] {
    return [...this.specsByDeployment.of(deploymentId).values()];
  }

  /** Instance ids of one deployment that still have a status. */
  statusIdsOfDeployment(deploymentId: string): string[] {
    return [...this.statusesByDeployment.of(deploymentId).keys()];
  }

  specsOn(allocatorId: string): Iterable<InstanceSpec> {
    return this.byAllocator.get(allocatorId)?.values() ?? [];
  }

  spec(instanceId: string): InstanceSpec | undefined {
    return this.specs.get(instanceId);
  }

  all(): Iterable<InstanceSpec> {
    return this.specs.values();
  }

  private isTombstoned(instanceId: string): boolean {
    const at = this.deleted.get(instanceId);
    if (at === undefined) return false;
    if (this.now() - at < TOMBSTONE_TTL_MS) return true;
    this.deleted.delete(instanceId);
    return false;
  }

  private refreshAllocator(id: string): void {
    const advertisement = this.ads.get(id);
    if (advertisement) this.allocators.set(id, { advertisement, live: this.live.has(id) });
    else this.allocators.delete(id);
    this.presence++;
  }

  private setSpec(spec: InstanceSpec): void {
    const previous = this.specs.get(spec.instance_id);
    if (previous && previous.allocator_id !== spec.allocator_id)
      this.byAllocator.get(previous.allocator_id)?.delete(spec.instance_id);
    this.specs.set(spec.instance_id, spec);
    this.specsByDeployment.set(spec.instance_id, spec);
    let mine = this.byAllocator.get(spec.allocator_id);
    if (!mine) {
      mine = new Map();
      this.byAllocator.set(spec.allocator_id, mine);
    }
    mine.set(spec.instance_id, spec);
  }

  private setStatus(instanceId: string, status: InstanceStatus): void {
    this.statuses.set(instanceId, status);
    this.statusesByDeployment.set(instanceId, status);
  }

  private removeStatus(instanceId: string): void {
    this.statuses.delete(instanceId);
    this.statusesByDeployment.delete(instanceId);
  }

  /** Drops a spec (only the one on `allocatorId` when given). */
  private removeSpec(instanceId: string, allocatorId?: string): void {
    const spec = this.specs.get(instanceId);
    if (!spec || (allocatorId !== undefined && spec.allocator_id !== allocatorId)) return;
    this.specs.delete(instanceId);
    this.specsByDeployment.delete(instanceId);
    const mine = this.byAllocator.get(spec.allocator_id);
    mine?.delete(instanceId);
    if (mine?.size === 0) this.byAllocator.delete(spec.allocator_id);
  }
}
