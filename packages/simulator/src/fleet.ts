/**
 * A fleet of simulated allocators in one Node process: `count` allocators spread round robin
 * over the zones, `allocatorsPerSession` of them per ZooKeeper session. Started with bounded
 * concurrency; hosts can be lost (live nodes gone, statuses left) in bulk, as a scenario needs.
 */
import { type InstanceSpec, paths } from '@wharf/model';
import { getStackPack } from '@wharf/stacks';
import { ZkSession } from '@wharf/zk';
import { type SimAllocatorConfig } from './documents';
import {
  type CompiledFleetOptions,
  type FleetOptions,
  allocatorIdOf,
  compileFleetOptions,
  zoneOf,
} from './options';
import { type SimCounters, SimulatedAllocator } from './sim-allocator';

/**
 * Port range every simulated allocator advertises: the real allocator's default width (1,000
 * ports), so a fleet can place as many instances per allocator as a real one could.
 */
export const SIMULATED_PORT_RANGE: Readonly<{ from: number; to: number }> = Object.freeze({
  from: 20_000,
  to: 20_999,
});

/** `latent` → `starting` → `running` → `closing` → `closed`. */
export type FleetState = 'latent' | 'starting' | 'running' | 'closing' | 'closed';

/** What a fleet reports about itself. */
export interface FleetStats extends SimCounters {
  allocators: number;
  lost: number;
  sessions: number;
  instances: number;
}

/** A fleet of simulated allocators. */
export class SimulatedFleet {
  readonly options: CompiledFleetOptions;
  private current: FleetState = 'latent';
  private readonly sessions: ZkSession[] = [];
  private readonly members: SimulatedAllocator[] = [];
  private readonly counters: SimCounters = {
    statusWrites: 0,
    statusDeletes: 0,
    specPasses: 0,
    writeErrors: 0,
  };
  private readonly portNames = new Map<string, readonly string[]>();
  private runningListener: ((spec: InstanceSpec) => void) | undefined;

  constructor(options: FleetOptions) {
    this.options = compileFleetOptions(options);
  }

  /** The fleet's state. */
  get state(): FleetState {
    return this.current;
  }

  /** Every simulated allocator, in index order. */
  get allocators(): readonly SimulatedAllocator[] {
    return this.members;
  }

  /** Calls `listener` whenever an instance reports running (one listener; later replaces). */
  onRunning(listener: (spec: InstanceSpec) => void): void {
    this.runningListener = listener;
  }

  /** Opens the sessions, then registers every allocator (bounded concurrency). */
  async start(): Promise<void> {
    if (this.current !== 'latent') throw new Error(`fleet cannot start from state ${this.current}`);
    this.current = 'starting';
    const o = this.options;
    const sessionCount = Math.ceil(o.count / o.allocatorsPerSession);
    for (let i = 0; i < sessionCount; i++) {
      const zk = new ZkSession({
        connectString: o.connectString,
        chroot: o.chroot,
        ...(o.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: o.sessionTimeoutMs }),
      });
      this.sessions.push(zk);
      await zk.start();
    }
    await this.sessions[0]?.mkdirp(paths.allocators());
    for (let i = 0; i < o.count; i++) this.members.push(this.allocator(i));
    await eachLimited(this.members, o.startConcurrency, (a) => a.start());
    this.current = 'running';
  }

  /** Loses the hosts of `allocators` at once (see {@link SimulatedAllocator.loseHost}). */
  async loseHosts(allocators: readonly SimulatedAllocator[]): Promise<void> {
    await Promise.all(allocators.map((a) => a.loseHost()));
  }

  /** Counters summed over the fleet. */
  stats(): FleetStats {
    let lost = 0;
    let instances = 0;
    for (const a of this.members) {
      if (a.state === 'lost') lost++;
      instances += a.instanceCount;
    }
    return {
      ...this.counters,
      allocators: this.members.length,
      lost,
      sessions: this.sessions.length,
      instances,
    };
  }

  /** Stops every allocator and closes the sessions (their ephemerals go with them). Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closing' || this.current === 'closed') return;
    this.current = 'closing';
    await eachLimited(this.members, this.options.startConcurrency, (a) => a.close());
    await Promise.all(this.sessions.map((s) => s.close()));
    this.current = 'closed';
  }

  private allocator(index: number): SimulatedAllocator {
    const o = this.options;
    const config: SimAllocatorConfig = {
      id: allocatorIdOf(o, index),
      zone: zoneOf(o, index),
      capacityMb: o.capacityMb,
      cpus: o.cpus,
      portRange: SIMULATED_PORT_RANGE,
      tags: { simulated: 'true' },
    };
    const zk = this.sessions[Math.floor(index / o.allocatorsPerSession)];
    if (!zk) throw new Error(`no session for allocator ${index}`);
    const { min, max } = o.startDelayMs;
    return new SimulatedAllocator({
      zk,
      config,
      portNames: (stack) => this.portNamesOf(stack),
      startDelay: () => min + (max - min) * o.random(),
      counters: this.counters,
      onRunning: (spec) => this.runningListener?.(spec),
    });
  }

  private portNamesOf(stack: string): readonly string[] {
    let names = this.portNames.get(stack);
    if (!names) {
      names = getStackPack(stack).portNames;
      this.portNames.set(stack, names);
    }
    return names;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first failure. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
