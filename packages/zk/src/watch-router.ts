import { type Event as RawEvent } from 'node-zookeeper-client';
import { type ZkLogger } from './logger';
import { type ZkWatchEvent, type ZkWatchEventType, type ZkWatcher } from './types';

/** Which server-side watch a callback hangs on. */
export type WatchKind = 'data' | 'child' | 'exist';

/** Library event type numbers (Event.NODE_*), kept here so the mapping is testable without I/O. */
export const RAW_EVENT_TYPES = Object.freeze({ created: 1, deleted: 2, dataChanged: 3, childrenChanged: 4 });

/** Maps a library event type number to our name; undefined for session events. */
export function watchEventType(rawType: number): ZkWatchEventType | undefined {
  switch (rawType) {
    case RAW_EVENT_TYPES.created:
      return 'created';
    case RAW_EVENT_TYPES.deleted:
      return 'deleted';
    case RAW_EVENT_TYPES.dataChanged:
      return 'dataChanged';
    case RAW_EVENT_TYPES.childrenChanged:
      return 'childrenChanged';
    default:
      return undefined;
  }
}

/**
 * Multiplexes our watchers onto one stable library callback per (kind, path).
 *
 * node-zookeeper-client keeps an EventEmitter per path and adds a `once` listener per distinct
 * function, so re-arming with fresh closures trips MaxListenersExceededWarning (#72) and keeps
 * every closure alive until the path fires. Here the library only ever sees one dispatcher per
 * (kind, path); our watchers sit in a Set (so re-arming with the same function is a no-op) and
 * the Set is cleared when the one-shot watch fires. One router lives per underlying client:
 * after a session is lost the router is dropped with it, since the server forgot its watches.
 */
export class WatchRouter {
  private readonly watchers = new Map<string, Set<ZkWatcher>>();
  private readonly dispatchers = new Map<string, (event: RawEvent) => void>();
  private closed = false;

  constructor(private readonly logger: ZkLogger) {}

  /** The stable library callback for (kind, path). */
  dispatcher(kind: WatchKind, path: string): (event: RawEvent) => void {
    const key = `${kind}:${path}`;
    let fn = this.dispatchers.get(key);
    if (fn === undefined) {
      fn = (event: RawEvent) => this.fire(key, event);
      this.dispatchers.set(key, fn);
    }
    return fn;
  }

  /** Records `watcher` for (kind, path); call once the library has armed the dispatcher. */
  add(kind: WatchKind, path: string, watcher: ZkWatcher): void {
    if (this.closed) return;
    const key = `${kind}:${path}`;
    let set = this.watchers.get(key);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(watcher);
  }

  /** Number of armed (kind, path) slots, for leak checks. */
  size(): number {
    return this.watchers.size;
  }

  /** Forgets every watcher: their server-side watches died with the session. */
  close(): void {
    this.closed = true;
    this.watchers.clear();
    this.dispatchers.clear();
  }

  private fire(key: string, raw: RawEvent): void {
    const set = this.watchers.get(key);
    this.watchers.delete(key);
    this.dispatchers.delete(key);
    const type = watchEventType(raw.getType());
    if (set === undefined || type === undefined) return;
    const event: ZkWatchEvent = Object.freeze({ type, path: raw.getPath() });
    for (const watcher of set) {
      try {
        watcher(event);
      } catch (err) {
        this.logger.error('watcher threw', { path: event.path, type, err });
      }
    }
  }
}
