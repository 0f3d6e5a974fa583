/**
 * Where route documents come from. The proxy's table cache only needs "the current documents" and
 * "something changed"; production wires ZooKeeper (`zk-route-source.ts`), the benchmark and some
 * tests a fixed list, so the real proxy code path runs without a ZooKeeper server.
 */
import { serializeDocument, type RouteEntry } from '@wharf/model';
import type { RouteDocument } from './route-table';

/** What a route source reports to its listener. */
export type RouteSourceEvent =
  /** The first complete read finished: `documents()` is now defined. */
  | { readonly type: 'initialized' }
  /**
   * A document was added, updated or removed (`name` is the deployment znode name; an empty name
   * means "something", and the listener re-reads every document).
   */
  | { readonly type: 'changed'; readonly name: string }
  /** The backing store was re-read in full (reconnect, safety-net refresh). */
  | { readonly type: 'resynced' };

/** A listener for {@link RouteSourceEvent}s. */
export type RouteSourceListener = (event: RouteSourceEvent) => void;

/** A source of `/routes` documents. */
export interface RouteSource {
  /** Starts reading; resolves once started, not necessarily initialised. */
  start(): Promise<void>;
  /** Stops reading; idempotent. */
  close(): Promise<void>;
  /**
   * The documents currently known, or `undefined` before the first complete read. While the
   * backing store is unreachable this keeps returning the last known documents.
   */
  documents(): Iterable<RouteDocument> | undefined;
  /**
   * The current document named `name` (`undefined` when there is none), consistent with
   * `documents()`. A source that has it lets the table cache apply each `changed` name on its own
   * (O(changed)) instead of rebuilding from every document; optional.
   */
  document?(name: string): RouteDocument | undefined;
  /** Registers the one listener (the table cache); returns a function that removes it. */
  subscribe(listener: RouteSourceListener): () => void;
  /** Re-reads everything from the backing store (the safety-net refresh); optional. */
  refresh?(): Promise<void>;
}

/** A route source over a fixed, replaceable list of entries (benchmarks, tests, static installs). */
export class StaticRouteSource implements RouteSource {
  private docs: RouteDocument[] | undefined;
  private listener: RouteSourceListener | undefined;
  private readonly initial: readonly RouteEntry[] | undefined;

  /** `entries` are served from `start()`; pass `undefined` to stay uninitialised until `set()`. */
  constructor(entries?: readonly RouteEntry[]) {
    this.initial = entries;
  }

  /** Serves `initial` entries, if any. */
  async start(): Promise<void> {
    if (this.initial !== undefined && this.docs === undefined) this.set(this.initial);
  }

  /** Forgets the listener. */
  async close(): Promise<void> {
    this.listener = undefined;
  }

  /** The current documents. */
  documents(): Iterable<RouteDocument> | undefined {
    return this.docs;
  }

  /** Registers the listener. */
  subscribe(listener: RouteSourceListener): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /** Replaces every entry (validated, as a writer to ZooKeeper would) and notifies the listener. */
  set(entries: readonly RouteEntry[]): void {
    const first = this.docs === undefined;
    this.docs = entries.map((e) => ({ name: e.deployment_id, data: serializeDocument('route', e) }));
    this.listener?.(first ? { type: 'initialized' } : { type: 'resynced' });
  }
}
