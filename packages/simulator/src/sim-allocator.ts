/**
 * One simulated allocator on a (possibly shared) ZooKeeper session. It writes every znode a real
 * allocator writes — the advertisement (versioned read-modify-write keeping `maintenance`), the
 * `instances` and `status` directories, the ephemeral `live` node and service registration —
 * watches its specs through a {@link TreeCache} as the real one does, and answers each spec with
 * the statuses a real allocator would report, after a simulated start delay instead of a process.
 */
import {
  type InstanceSpec,
  assertDocument,
  isWharfError,
  parseDocument,
  paths,
  serializeDocument,
} from '@wharf/model';
import { type EphemeralRegistration, TreeCache, type ZkSession, updateJson } from '@wharf/zk';
import {
  type SimAllocatorConfig,
  advertisement,
  maintenanceOf,
  serviceRegistration,
  statusOf,
} from './documents';
import { type SimInstance, decidePass, pickPorts } from './lifecycle';

/** `latent` → `starting` → `running` → (`lost`) → `closed`. */
export type SimAllocatorState = 'latent' | 'starting' | 'running' | 'lost' | 'closed';

/** Counters a fleet sums up for its report. */
export interface SimCounters {
  statusWrites: number;
  statusDeletes: number;
  specPasses: number;
  writeErrors: number;
}

/** What a simulated allocator is given. */
export interface SimAllocatorDeps {
  zk: ZkSession;
  config: SimAllocatorConfig;
  /** Named ports of a stack kind (from its pack). */
  portNames: (stack: string) => readonly string[];
  /** Simulated start time of one instance, in ms. */
  startDelay: () => number;
  counters: SimCounters;
  /** Called when an instance reports running (for scenario bookkeeping). */
  onRunning?: (spec: InstanceSpec) => void;
}

/** A simulated allocator. */
export class SimulatedAllocator {
  private current: SimAllocatorState = 'latent';
  private cache: TreeCache | undefined;
  private registrations: EphemeralRegistration[] = [];
  private readonly instances = new Map<string, SimInstance>();
  private readonly versions = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private specs = new Map<string, InstanceSpec>();
  /** The valid specs of the last pass by their cached data (see {@link onSpecs}). */
  private parsed = new WeakMap<Buffer, InstanceSpec>();
  private chain: Promise<void> = Promise.resolve();
  private dirty = false;
  private readonly started = new Date().toISOString();

  constructor(private readonly deps: SimAllocatorDeps) {}

  /** The allocator's id. */
  get id(): string {
    return this.deps.config.id;
  }

  /** The allocator's zone. */
  get zone(): string {
    return this.deps.config.zone;
  }

  /** The allocator's state. */
  get state(): SimAllocatorState {
    return this.current;
  }

  /** Instances it currently reports (any state). */
  get instanceCount(): number {
    return this.instances.size;
  }

  /** Advertises, loads its status versions, watches specs, then goes live (as the real one). */
  async start(): Promise<void> {
    if (this.current !== 'latent') throw new Error(`simulated allocator cannot start from ${this.current}`);
    this.current = 'starting';
    const { zk, config } = this.deps;
    await updateJson<unknown>(
      zk,
      paths.allocator(config.id),
      (stored) =>
        assertDocument('allocator-advertisement', advertisement(config, maintenanceOf(stored), this.started)),
      { createIfMissing: true },
    );
    await zk.mkdirp(paths.allocatorStatuses(config.id));
    await this.loadStatusVersions();
    await zk.mkdirp(paths.allocatorInstances(config.id));
    const cache = new TreeCache(zk, paths.allocatorInstances(config.id), { depth: 1 });
    this.cache = cache;
    cache.on('initialized', () => this.onSpecs());
    cache.on('changed', () => this.onSpecs());
    await cache.start();
    await this.goLive();
    this.current = 'running';
    this.kick();
  }

  /**
   * The host dies: the live node and registration go (as when its session expires), specs are
   * no longer watched, statuses stay as last written. Simulated hosts share sessions, so the
   * ephemerals are deleted explicitly rather than by session expiry.
   */
  async loseHost(): Promise<void> {
    if (this.current !== 'running') return;
    this.current = 'lost';
    this.clearTimers();
    await this.cache?.close();
    this.cache = undefined;
    await this.chain;
    await this.dropRegistrations();
  }

  /** Stops simulating; ephemerals are deleted, statuses stay. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.clearTimers();
    await this.cache?.close();
    await this.chain;
    await this.dropRegistrations();
  }

  private async goLive(): Promise<void> {
    const { zk, config } = this.deps;
    const live = await zk.registerEphemeral(paths.allocatorLive(config.id), '');
    this.registrations.push(live);
    this.registrations.push(
      await zk.registerEphemeral(
        paths.serviceLive('allocator', config.id),
        serializeDocument('service-registration', serviceRegistration(config, this.started)),
      ),
    );
  }

  private async dropRegistrations(): Promise<void> {
    await Promise.all(this.registrations.map((r) => r.close().catch(() => undefined)));
    this.registrations = [];
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async loadStatusVersions(): Promise<void> {
    const dir = paths.allocatorStatuses(this.id);
    for (const name of await this.deps.zk.children(dir)) {
      const stat = await this.deps.zk.exists(`${dir}/${name}`);
      if (stat) this.versions.set(name, stat.version);
    }
  }

  private onSpecs(): void {
    const cache = this.cache;
    if (!cache) return;
    const prefix = `${paths.allocatorInstances(this.id)}/`;
    const specs = new Map<string, InstanceSpec>();
    const parsed = new WeakMap<Buffer, InstanceSpec>();
    for (const [path, node] of cache.snapshot()) {
      if (!path.startsWith(prefix)) continue;
      const name = path.slice(prefix.length);
      // Unchanged nodes keep their Buffer: each spec is parsed once per version, not per event.
      const known = this.parsed.get(node.data);
      if (known) {
        specs.set(name, known);
        parsed.set(node.data, known);
        continue;
      }
      try {
        const spec = parseDocument('instance-spec', node.data);
        if (spec.instance_id === name && spec.allocator_id === this.id) {
          specs.set(name, spec);
          parsed.set(node.data, spec);
        }
      } catch {
        const kept = this.specs.get(name); // as the real allocator: a bad spec keeps the last good one
        if (kept) specs.set(name, kept);
      }
    }
    this.specs = specs;
    this.parsed = parsed;
    this.kick();
  }

  /** Passes never overlap; a request during one runs another after it. */
  private kick(): void {
    if (this.current !== 'running') return;
    if (this.dirty) return;
    this.dirty = true;
    this.chain = this.chain.then(async () => {
      this.dirty = false;
      if (this.current === 'running') await this.pass();
    });
  }

  private async pass(): Promise<void> {
    this.deps.counters.specPasses++;
    const plan = decidePass(this.specs, this.instances);
    await Promise.all([
      ...plan.remove.map((id) => this.remove(id)),
      ...plan.reserve.map((spec) => this.write(spec, 'reserved')),
      ...plan.start.map((spec) => this.launch(spec)),
    ]);
  }

  private async launch(spec: InstanceSpec): Promise<void> {
    await this.write(spec, 'starting');
    const id = spec.instance_id;
    clearTimeout(this.timers.get(id));
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.chain = this.chain.then(async () => {
        const now = this.specs.get(id);
        if (this.current !== 'running' || !now || now.hold || now.generation !== spec.generation) return;
        await this.write(spec, 'running');
        this.deps.onRunning?.(spec);
      });
    }, this.deps.startDelay());
    this.timers.set(id, timer);
  }

  private portsFor(spec: InstanceSpec): Record<string, number> | undefined {
    const known = this.instances.get(spec.instance_id);
    if (known) return known.ports;
    const held = new Set<number>();
    for (const i of this.instances.values()) for (const p of Object.values(i.ports)) held.add(p);
    return pickPorts(this.deps.portNames(spec.stack), this.deps.config.portRange, held);
  }

  private async write(spec: InstanceSpec, state: SimInstance['state']): Promise<void> {
    const ports = this.portsFor(spec);
    if (!ports) return; // a real allocator would report `failed` (no port left); a sim fleet never runs out
    const id = spec.instance_id;
    const path = paths.instanceStatus(this.id, id);
    const data = serializeDocument('instance-status', statusOf(spec, state, ports, Date.now()));
    try {
      const version = this.versions.get(id);
      const next =
        version === undefined
          ? (await this.deps.zk.create(path, data), 0)
          : (await this.deps.zk.set(path, data, version)).version;
      this.versions.set(id, next);
      this.instances.set(id, { state, generation: spec.generation, ports });
      this.deps.counters.statusWrites++;
    } catch (err) {
      this.deps.counters.writeErrors++;
      // Decided again on the next pass: a released spec is started again, a held one re-reserved.
      const known = this.instances.get(id);
      if (known) known.generation = -1;
      if (isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS', 'WHARF_ZK_NO_NODE')) {
        const stat = await this.deps.zk.exists(path).catch(() => null);
        if (stat) this.versions.set(id, stat.version);
        else this.versions.delete(id);
        this.kick();
      }
    }
  }

  private async remove(id: string): Promise<void> {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    try {
      await this.deps.zk.delete(paths.instanceStatus(this.id, id));
      this.deps.counters.statusDeletes++;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) {
        this.deps.counters.writeErrors++;
        return;
      }
    }
    this.instances.delete(id);
    this.versions.delete(id);
  }
}
