/**
 * An immutable map that a change of k entries copies in O(k), not O(size): the routing table's
 * `routes` after an incremental update. It is a shared, never-mutated base plus a small delta of
 * the entries changed since (a removal is a tombstone); each update copies only the delta, and
 * once the delta outgrows {@link deltaLimit} the two are merged into a new base.
 *
 * Why not mutate one map in place: a request that read `current()` may hold the table across an
 * await (a held request, a retry), and `onSwap` consumers compare tables; every table handed out
 * must stay exactly what it was. Why not a HAMT: the proxy's reads are `get()` per request, which
 * here is one or two hash lookups in native Maps, and the amortised update cost is the same order.
 */

/** Marks a key removed from the base. */
const GONE: unique symbol = Symbol('route removed');

/**
 * Smallest delta merged into the base. Below this a copy of the delta is a few microseconds, and
 * merging more often would make small tables pay a base copy per change for nothing.
 */
export const MIN_DELTA_LIMIT = 64;

/**
 * Delta size at which the base is rebuilt: 2·√size. An update copies the delta (≤ 2√n) and one
 * merge of n entries is spread over the ≥ 2√n changes before it, so a change costs O(√n) map
 * operations: ~200 at 10,000 routes instead of the 10,000 of a full copy.
 */
export function deltaLimit(size: number): number {
  return Math.max(MIN_DELTA_LIMIT, Math.ceil(2 * Math.sqrt(size)));
}

/** A persistent string-keyed map: `with()` returns a new map; nothing is ever mutated. */
export class LayeredMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly delta: ReadonlyMap<string, V | typeof GONE>,
    /** Number of entries. */
    readonly size: number,
  ) {}

  /** A layered map over `base`, which the caller must never mutate afterwards. */
  static over<V>(base: ReadonlyMap<string, V>): LayeredMap<V> {
    return base instanceof LayeredMap ? (base as LayeredMap<V>) : new LayeredMap(base, new Map(), base.size);
  }

  /** Number of entries changed since the base (for tests and metrics). */
  get deltaSize(): number {
    return this.delta.size;
  }

  /** The value of `key`. */
  get(key: string): V | undefined {
    const changed = this.delta.get(key);
    if (changed === undefined) return this.base.get(key);
    return changed === GONE ? undefined : changed;
  }

  /** True when `key` has a value. */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** A new map with `changes` applied (`undefined` removes the key); this one is left as it was. */
  with(changes: ReadonlyMap<string, V | undefined>): LayeredMap<V> {
    const delta = new Map(this.delta);
    let size = this.size;
    for (const [key, value] of changes) {
      const had = this.get(key) !== undefined;
      if (value === undefined) {
        if (this.base.has(key)) delta.set(key, GONE);
        else delta.delete(key);
        if (had) size -= 1;
      } else {
        delta.set(key, value);
        if (!had) size += 1;
      }
    }
    const next = new LayeredMap(this.base, delta, size);
    return delta.size > deltaLimit(size) ? new LayeredMap(new Map(next), new Map(), size) : next;
  }

  /** Entries: the base's unchanged ones, then the changed ones. */
  *entries(): MapIterator<[string, V]> {
    for (const entry of this.base) if (!this.delta.has(entry[0])) yield entry;
    for (const [key, value] of this.delta) if (value !== GONE) yield [key, value];
  }

  /** Keys, in {@link entries} order. */
  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  /** Values, in {@link entries} order. */
  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  /** Calls `fn` for every entry. */
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this);
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  /** Shown by `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return 'LayeredMap';
  }
}
