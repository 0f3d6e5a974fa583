/**
 * Follows the engine's `/events` stream (filtered by label) and keeps following it: when the
 * stream ends or fails it reconnects with exponential back-off, and calls `onConnect` on every
 * (re)connection so the runtime can resync from `inspect` whatever it missed meanwhile.
 */
import type Dockerode from 'dockerode';
import { type RuntimeClock, type RuntimeLogger } from './deps';
import { JsonLineSplitter } from './docker-streams';

/** First reconnect delay: an engine restart takes seconds, a dropped stream is back at once. */
export const EVENTS_BACKOFF_BASE_MS = 200;
/** Longest reconnect delay: a missed exit is noticed by the resync within this. */
export const EVENTS_BACKOFF_MAX_MS = 5_000;

/** A container event as the engine sends it (the fields the runtime reads). */
export interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

/** What the watcher needs. */
export interface EventWatcherOptions {
  docker: Dockerode;
  /** `/events` filters (e.g. `{ type: ['container'], label: ['wharf.managed=true'] }`). */
  filters: Record<string, string[]>;
  onEvent: (event: DockerEvent) => void;
  /** Called after each (re)connection, before events are read; failures are logged and retried. */
  onConnect: () => Promise<void>;
  logger: RuntimeLogger;
  clock: RuntimeClock;
}

/** One long-lived events subscription with reconnects; `start()`/`close()`. */
export class DockerEventWatcher {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly options: EventWatcherOptions) {}

  /** Connects (and resyncs) once, then keeps following in the background. */
  async start(): Promise<void> {
    const stream = await this.connect();
    this.loop = this.follow(stream);
  }

  /** Stops following. Idempotent. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async connect(): Promise<NodeJS.ReadableStream> {
    const { docker, filters } = this.options;
    // dockerode forwards `abortSignal` to the request; its typings do not declare it.
    const options = { filters, abortSignal: this.abort.signal } as Dockerode.GetEventsOptions;
    const stream = await docker.getEvents(options);
    await this.options.onConnect();
    return stream;
  }

  private async follow(first: NodeJS.ReadableStream): Promise<void> {
    const { clock, logger } = this.options;
    let stream: NodeJS.ReadableStream | undefined = first;
    let delay = EVENTS_BACKOFF_BASE_MS;
    while (!this.abort.signal.aborted) {
      if (stream) {
        const read = await this.read(stream);
        if (read > 0) delay = EVENTS_BACKOFF_BASE_MS;
        stream = undefined;
        if (this.abort.signal.aborted) return;
        logger.warn('docker event stream ended; reconnecting', { delayMs: delay });
      }
      await clock.sleep(delay, this.abort.signal);
      delay = Math.min(EVENTS_BACKOFF_MAX_MS, delay * 2);
      if (this.abort.signal.aborted) return;
      try {
        stream = await this.connect();
        logger.info('docker event stream reconnected', {});
      } catch (err) {
        if (!this.abort.signal.aborted) logger.warn('docker event stream reconnect failed', { err });
      }
    }
  }

  /** Reads until the stream ends or fails; returns the number of events seen. */
  private async read(stream: NodeJS.ReadableStream): Promise<number> {
    const splitter = new JsonLineSplitter();
    let count = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer | string>) {
        for (const event of splitter.push(chunk)) {
          count += 1;
          this.options.onEvent(event as DockerEvent);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.options.logger.warn('docker event stream failed', { err });
    }
    return count;
  }
}
