/**
 * Live deployment snapshots for Server-Sent Events. Every subscriber of one deployment shares a
 * single read loop: the deployment view and its newest attempts are read every
 * {@link ACTIVITY_READ_INTERVAL_MS} and pushed only when they changed, so N open consoles cost
 * the store one read per interval, not N, and idle streams send nothing but heartbeats.
 *
 *   subscribe(id) ──▶ Watcher(id) ──read──▶ source.snapshot(id) ──changed?──▶ every listener
 *                         ▲  last subscriber gone: the loop stops and the watcher is dropped
 */
import { type Logger } from '@wharf/observability';

/**
 * How often a watched deployment is read: plan steps take seconds, so half a second looks live;
 * the attempt znode is small and the allocator view is a watch-driven cache.
 */
export const ACTIVITY_READ_INTERVAL_MS = 500;
/** Most streams one api serves at once; past it a new stream is refused (503). */
export const MAX_ACTIVITY_STREAMS = 256;

/** What a subscriber hears. */
export type ActivityEvent = { type: 'snapshot'; data: unknown } | { type: 'gone' } | { type: 'error' };

/** Reads one deployment's snapshot; undefined when the deployment does not exist. */
export interface ActivitySource {
  snapshot(id: string): Promise<unknown>;
}

/** Options of {@link ActivityFeed}. */
export interface ActivityFeedOptions {
  source: ActivitySource;
  logger: Logger;
  intervalMs?: number;
  maxStreams?: number;
}

type Listener = (event: ActivityEvent) => void;

/** One deployment's shared read loop. */
class Watcher {
  readonly listeners = new Set<Listener>();
  private last: string | undefined;
  private lastEvent: ActivityEvent | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly id: string,
    private readonly source: ActivitySource,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onIdle: () => void,
  ) {}

  add(listener: Listener): void {
    this.listeners.add(listener);
    if (this.lastEvent !== undefined) listener(this.lastEvent);
    if (this.listeners.size === 1 && this.timer === undefined) void this.tick();
  }

  remove(listener: Listener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.stop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.onIdle();
  }

  private emit(event: ActivityEvent): void {
    this.lastEvent = event;
    for (const listener of [...this.listeners]) listener(event);
  }

  private async tick(): Promise<void> {
    let snapshot: unknown;
    try {
      snapshot = await this.source.snapshot(this.id);
    } catch (err) {
      // A store outage: keep the streams open and try again; the console shows the last state.
      this.logger.warn('activity read failed', { deployment: this.id, err });
      snapshot = null;
    }
    if (this.stopped) return;
    if (snapshot === undefined) {
      this.emit({ type: 'gone' });
      this.stop();
      return;
    }
    if (snapshot !== null) {
      const text = JSON.stringify(snapshot);
      if (text !== this.last) {
        this.last = text;
        this.emit({ type: 'snapshot', data: snapshot });
      }
    }
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }
}

/** Shared read loops keyed by deployment id. */
export class ActivityFeed {
  private readonly watchers = new Map<string, Watcher>();
  private streams = 0;
  private readonly intervalMs: number;
  private readonly maxStreams: number;

  constructor(private readonly options: ActivityFeedOptions) {
    this.intervalMs = options.intervalMs ?? ACTIVITY_READ_INTERVAL_MS;
    this.maxStreams = options.maxStreams ?? MAX_ACTIVITY_STREAMS;
  }

  /** Open streams. */
  get size(): number {
    return this.streams;
  }

  /** Follows `id`; returns the unsubscribe function, or undefined when the stream limit is reached. */
  subscribe(id: string, listener: Listener): (() => void) | undefined {
    if (this.streams >= this.maxStreams) return undefined;
    let watcher = this.watchers.get(id);
    if (watcher === undefined) {
      const created: Watcher = new Watcher(
        id,
        this.options.source,
        this.intervalMs,
        this.options.logger,
        () => {
          if (this.watchers.get(id) === created) this.watchers.delete(id);
        },
      );
      watcher = created;
      this.watchers.set(id, watcher);
    }
    this.streams++;
    const owner = watcher;
    owner.add(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.streams--;
      owner.remove(listener);
    };
  }
}
