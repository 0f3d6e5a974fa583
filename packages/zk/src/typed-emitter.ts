import { type ZkLogger } from './logger';

/** Maps event names to listener argument tuples. */
export type EventMap = { [event: string]: unknown[] };

/** A listener for event `K` of map `E`. */
export type Listener<E extends EventMap, K extends keyof E> = (...args: E[K]) => void;

/**
 * A small typed event emitter. Unlike Node's, a throwing listener is logged and does not break
 * the emitter's own state machine, and there is no max-listener warning to trip over.
 */
export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<Listener<E, keyof E>>>();

  constructor(private readonly emitterLogger: ZkLogger) {}

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<E, keyof E>);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs at most once. */
  once<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes `listener` for `event`. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    this.listeners.get(event)?.delete(listener as Listener<E, keyof E>);
  }

  /** Number of listeners for `event` (for leak checks in tests). */
  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener. */
  protected removeAllListeners(): void {
    this.listeners.clear();
  }

  /** Calls every listener of `event`; a listener that throws is logged and skipped. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        this.emitterLogger.error('event listener threw', { event: String(event), err });
      }
    }
  }
}
