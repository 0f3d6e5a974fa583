/**
 * Wakes waiters when the observed state may have changed (a cache fired `changed`). Waiters
 * re-evaluate their condition on each wake and after a bounded sleep, so a missed event only
 * costs latency, never progress.
 *
 * A waiter names the deployment it waits for, and a change names the deployments it touches
 * (a spec or status by its instance id `<deployment>-…`, a plan or attempt by its path), so a
 * status write wakes the one attempt that waits on it instead of every attempt in flight (with
 * 1,000 attempts waiting, a broadcast re-ran 1,000 conditions per cache batch). A change nobody
 * can attribute (an allocator appearing or losing its live node, a resync) wakes everyone.
 */
import { type ConstructorClock } from '../clock';

/** The reason a wake aborts a waiter's sleep with (a constant: no error object built per wake). */
const WOKEN = Symbol('woken');

/** A "something changed" signal, broadcast or per deployment. */
export class ChangeSignal {
  private readonly waiters = new Map<string | undefined, Set<() => void>>();

  constructor(private readonly clock: ConstructorClock) {}

  /** Wakes every current waiter. */
  notify(): void {
    const all = [...this.waiters.values()].flatMap((set) => [...set]);
    this.waiters.clear();
    for (const wake of all) wake();
  }

  /** Wakes the waiters of `deploymentId` and those that wait for any change. */
  notifyDeployment(deploymentId: string): void {
    this.wakeKey(deploymentId);
    this.wakeKey(undefined);
  }

  /**
   * Wakes the waiters of the deployment `instanceId` belongs to (`<deployment>-<ref>-<n>`: every
   * dash-delimited prefix that has waiters; an extra wake of a deployment whose id is a prefix of
   * another's costs one re-check, never a missed one).
   */
  notifyInstance(instanceId: string): void {
    for (let dash = instanceId.indexOf('-'); dash > 0; dash = instanceId.indexOf('-', dash + 1))
      this.wakeKey(instanceId.slice(0, dash));
    this.wakeKey(undefined);
  }

  /**
   * Resolves on the next notification that concerns `deploymentId` (any notification when
   * undefined), after `maxMs`, or when `signal` aborts.
   */
  async wait(maxMs: number, signal?: AbortSignal, deploymentId?: string): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort(WOKEN);
    signal?.addEventListener('abort', onAbort, { once: true });
    const wake = () => stop.abort(WOKEN);
    let set = this.waiters.get(deploymentId);
    if (!set) {
      set = new Set();
      this.waiters.set(deploymentId, set);
    }
    set.add(wake);
    try {
      await this.clock.sleep(maxMs, stop.signal);
    } finally {
      const mine = this.waiters.get(deploymentId);
      mine?.delete(wake);
      if (mine?.size === 0) this.waiters.delete(deploymentId);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private wakeKey(key: string | undefined): void {
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const wake of set) wake();
  }
}
