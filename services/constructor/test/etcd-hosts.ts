/**
 * Simulated hosts running real etcd members, for the recovery tests: one fake allocator per host,
 * each with its own etcd runner (so one host can die alone), and a constructor with the etcd pack
 * and a recovery grace. Everything is closed after each test.
 */
import { type ZkSession } from '@wharf/zk';
import { type Constructor } from '../src/constructor';
import { EtcdRunner } from './etcd-runner';
import { type FakeAllocator } from './fake-allocator';
import { startAllocators, startEtcdConstructor } from './harness';

/** A recovery grace short enough for a test to take seconds; production defaults to 10 s. */
export const RECOVER_GRACE_MS = 2_000;

/** The hosts of one test. */
export interface EtcdHosts {
  readonly runners: Map<string, EtcdRunner>;
  allocators: FakeAllocator[];
  /** Starts `[allocator id, zone]` hosts and a constructor (on `constructorZk`) with `recoverGraceMs`. */
  start(
    zk: ZkSession,
    layout: [string, string][],
    constructorZk: ZkSession,
    recoverGraceMs: number,
  ): Promise<void>;
  /** The host dies: its allocator stops (live node gone, statuses left as they were), its etcd is SIGKILLed. */
  kill(allocatorId: string): Promise<void>;
}

/** Hosts closed by an `afterEach` of the calling test file. */
export function useEtcdHosts(): EtcdHosts {
  let constructor: Constructor | undefined;
  const hosts: EtcdHosts = {
    runners: new Map(),
    allocators: [],
    async start(zk, layout, constructorZk, recoverGraceMs) {
      for (const [id] of layout) hosts.runners.set(id, new EtcdRunner());
      hosts.allocators = await startAllocators(
        zk,
        layout.map(([id, zone]) => [id, zone, { runner: hosts.runners.get(id)! }]),
      );
      constructor = await startEtcdConstructor(constructorZk, { allocatorRecoverGraceMs: recoverGraceMs });
    },
    async kill(allocatorId) {
      await hosts.allocators.find((a) => a.id === allocatorId)!.close();
      hosts.runners.get(allocatorId)!.kill();
    },
  };
  afterEach(async () => {
    await constructor?.close();
    constructor = undefined;
    for (const a of hosts.allocators) await a.close();
    for (const r of hosts.runners.values()) await r.close();
    hosts.runners.clear();
  });
  return hosts;
}
