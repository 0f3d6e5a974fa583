/**
 * A fake allocator for integration tests: advertises capacity, keeps a live node, and reacts to
 * the specs written under it the way the real allocator does — a held spec gets a `reserved`
 * status with ports, a released one becomes `running` and healthy at the spec's generation, a
 * deleted one loses its status. `behaviour` makes chosen instances hang or fail.
 */
import {
  SCHEMA_VERSION,
  parseDocument,
  paths,
  serializeDocument,
  type InstanceSpec,
  type InstanceStatus,
} from '@wharf/model';
import { TreeCache, type EphemeralRegistration, type ZkSession } from '@wharf/zk';
import { allocatorAd } from './fixtures';

/** What the fake does with a released spec. */
export type FakeBehaviour = 'run' | 'hang' | 'fail';

/** Options of a fake allocator. */
export interface FakeAllocatorOptions {
  memoryMb?: number;
  maintenance?: boolean;
  tags?: Record<string, string>;
  /** Per released spec: run it (default), never report running, or report `failed`. */
  behaviour?: (spec: InstanceSpec) => FakeBehaviour;
  /** Delay before a released instance reports running. */
  startDelayMs?: number;
  /** Runs released instances for real (reports running once `start` resolves); fake otherwise. */
  runner?: InstanceRunner;
  /** Register the live node (default true); false when another process holds it. */
  liveNode?: boolean;
}

/** Runs instances for real (e.g. etcd processes) on behalf of a fake allocator. */
export interface InstanceRunner {
  /** Free ports for a new instance. */
  reservePorts(spec: InstanceSpec): Promise<Record<string, number>>;
  /** Starts the instance; resolves once it is healthy. */
  start(spec: InstanceSpec, host: string, ports: Record<string, number>): Promise<void>;
  /** Stops the instance if it runs. */
  stop(instanceId: string): Promise<void>;
}

/** A fake allocator bound to one session. */
export class FakeAllocator {
  /** Every released spec seen, in order (for cluster member assertions). */
  readonly released: InstanceSpec[] = [];
  private cache: TreeCache | undefined;
  private live: EphemeralRegistration | undefined;
  private nextPort: number;
  private readonly ports = new Map<string, Record<string, number>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly starting = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly zk: ZkSession,
    readonly id: string,
    readonly zone: string,
    private readonly options: FakeAllocatorOptions = {},
    portBase = 30000,
  ) {
    this.nextPort = portBase;
  }

  /** Advertises, goes live and starts reacting to specs. */
  async start(): Promise<void> {
    const ad = allocatorAd(this.id, this.zone, this.options.memoryMb ?? 4096, {
      maintenance: this.options.maintenance ?? false,
      tags: this.options.tags ?? {},
    });
    await this.zk.mkdirp(paths.allocatorInstances(this.id));
    await this.zk.mkdirp(paths.allocatorStatuses(this.id));
    await this.zk.set(paths.allocator(this.id), serializeDocument('allocator-advertisement', ad), -1);
    if (this.options.liveNode !== false)
      this.live = await this.zk.registerEphemeral(paths.allocatorLive(this.id));
    this.cache = new TreeCache(this.zk, paths.allocatorInstances(this.id), { depth: 1 });
    this.cache.on('changed', () => this.poke());
    await this.cache.start();
    this.poke();
  }

  /** Stops reacting (statuses stay as they are). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await this.cache?.close();
    await this.chain;
    await this.live?.close().catch(() => undefined);
  }

  /** Deletes the live node only (statuses stay as they are), as when the allocator's session goes. */
  async dropLive(): Promise<void> {
    await this.live?.close();
    this.live = undefined;
  }

  /** Registers the live node again, as a restarted allocator does. */
  async restoreLive(): Promise<void> {
    this.live ??= await this.zk.registerEphemeral(paths.allocatorLive(this.id));
  }

  /** Writes a status for an instance (used by tests to simulate a crash or a recovery). */
  async report(instanceId: string, change: Partial<InstanceStatus>): Promise<void> {
    const path = paths.instanceStatus(this.id, instanceId);
    const node = await this.zk.get(path);
    const status = { ...parseDocument('instance-status', node.data), ...change };
    await this.zk.set(path, serializeDocument('instance-status', status), -1);
  }

  private enqueueWrite(spec: InstanceSpec, state: InstanceStatus['state'], healthy: boolean): void {
    this.chain = this.chain
      .then(() => this.write(spec, state, healthy, spec.generation))
      .catch(() => undefined);
  }

  /** Re-evaluates every spec (after a test changed `behaviour`'s answers). */
  poke(): void {
    if (this.closed) return;
    this.chain = this.chain
      .then(() => this.reconcile())
      .catch((err: unknown) => {
        if (process.env.WHARF_TEST_LOG) console.error('fake allocator reconcile failed', this.id, err);
      });
  }

  private async reconcile(): Promise<void> {
    if (this.closed || !this.cache) return;
    const specs = new Map<string, InstanceSpec>();
    for (const [path, node] of this.cache.snapshot()) {
      if (path === paths.allocatorInstances(this.id)) continue;
      const spec = parseDocument('instance-spec', node.data);
      specs.set(spec.instance_id, spec);
    }
    for (const spec of specs.values()) await this.apply(spec);
    for (const id of await this.zk.children(paths.allocatorStatuses(this.id))) {
      if (specs.has(id)) continue;
      await this.options.runner?.stop(id);
      await this.zk.delete(paths.instanceStatus(this.id, id)).catch(() => undefined);
    }
  }

  private async apply(spec: InstanceSpec): Promise<void> {
    const path = paths.instanceStatus(this.id, spec.instance_id);
    const existing = await this.zk.exists(path);
    const current = existing ? parseDocument('instance-status', (await this.zk.get(path)).data) : undefined;
    if (spec.hold) {
      if (!current) await this.write(spec, 'reserved', false, spec.generation);
      return;
    }
    if (current && current.generation >= spec.generation && current.state !== 'reserved') return;
    if (this.released.every((s) => s.instance_id !== spec.instance_id || s.generation !== spec.generation)) {
      this.released.push(spec);
    }
    const behaviour = this.options.behaviour?.(spec) ?? 'run';
    if (behaviour === 'hang') return;
    if (behaviour === 'fail') return this.write(spec, 'failed', false, spec.generation);
    const runner = this.options.runner;
    if (runner) {
      if (this.starting.has(`${spec.instance_id}@${spec.generation}`)) return;
      this.starting.add(`${spec.instance_id}@${spec.generation}`);
      const ports = await this.portsOf(spec);
      void runner.start(spec, '127.0.0.1', ports).then(
        () => this.enqueueWrite(spec, 'running', true),
        () => this.enqueueWrite(spec, 'failed', false),
      );
      return;
    }
    const delay = this.options.startDelayMs ?? 0;
    if (delay === 0) return this.write(spec, 'running', true, spec.generation);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.chain = this.chain
        .then(() => this.write(spec, 'running', true, spec.generation))
        .catch(() => undefined);
    }, delay);
    this.timers.add(timer);
  }

  private async portsOf(spec: InstanceSpec): Promise<Record<string, number>> {
    let ports = this.ports.get(spec.instance_id);
    if (!ports) {
      ports = this.options.runner
        ? await this.options.runner.reservePorts(spec)
        : { client: this.nextPort++, peer: this.nextPort++ };
      this.ports.set(spec.instance_id, ports);
    }
    return ports;
  }

  private async write(
    spec: InstanceSpec,
    state: InstanceStatus['state'],
    healthy: boolean,
    generation: number,
  ): Promise<void> {
    if (this.closed) return;
    const ports = await this.portsOf(spec);
    const status: InstanceStatus = {
      schema_version: SCHEMA_VERSION,
      instance_id: spec.instance_id,
      deployment_id: spec.deployment_id,
      allocator_id: this.id,
      state,
      healthy,
      host: '127.0.0.1',
      ports,
      generation,
      restarts: 0,
      updated: new Date().toISOString(),
    };
    const path = paths.instanceStatus(this.id, spec.instance_id);
    // The spec may have been deleted meanwhile: then the status must not come back.
    if ((await this.zk.exists(paths.instanceSpec(this.id, spec.instance_id))) === null) return;
    const data = serializeDocument('instance-status', status);
    if ((await this.zk.exists(path)) === null) await this.zk.create(path, data);
    else await this.zk.set(path, data, -1);
  }
}
