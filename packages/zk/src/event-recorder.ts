/**
 * Records alert events (`@wharf/model` `schemas/events.ts`) as `/events/event-<seq>` znodes, for
 * the constructor leader's webhook notifier and `GET /api/v1/events`.
 *
 * Why fire-and-forget: an event reports trouble the platform is already handling (a plan failed,
 * an allocator was lost); recording it must never delay or fail that work. `emit()` returns at
 * once; the write is tried {@link EVENT_WRITE_ATTEMPTS} times with doubling waits and then logged
 * and dropped. Why bounded: during a ZooKeeper outage events would otherwise pile up in memory;
 * at most {@link MAX_PENDING_EVENTS} wait, and further ones are dropped (and logged).
 *
 * Retention: every {@link PRUNE_EVERY}th event the recorder deletes the oldest events beyond
 * `maxKept`, so `/events` stays a bounded list however long the platform runs.
 *
 * States: open → closed (`close()`: stops retrying; writes in flight finish or fail on their own).
 */
import { randomBytes } from 'node:crypto';
import { isWharfError, newEvent, paths, type EventInput, type EventRecord } from '@wharf/model';
import { SYSTEM_CLOCK, type ZkClock } from './clock';
import { DocumentStore } from './document-store';
import { NOOP_LOGGER, type ZkLogger } from './logger';
import { sequenceOf } from './paths';
import { type ZkSession } from './session';

/** Tries per event: enough to ride out a connection loss of a few seconds, bounded so nothing piles up. */
export const EVENT_WRITE_ATTEMPTS = 4;
/** First wait between tries; doubled each time (0.25, 0.5, 1 s). */
export const EVENT_RETRY_BASE_MS = 250;
/** Events waiting for a write at most; beyond, new events are dropped with a warning. */
export const MAX_PENDING_EVENTS = 100;
/** Events kept in `/events` by default (small JSON each: ~300 KB in all). */
export const DEFAULT_EVENTS_KEPT = 1000;
/** Pruning cost is a children list; once per this many events keeps it negligible. */
export const PRUNE_EVERY = 20;

/** Options of an {@link EventRecorder}. */
export interface EventRecorderOptions {
  logger?: ZkLogger;
  clock?: Pick<ZkClock, 'now' | 'sleep'>;
  /** Events kept (oldest deleted first); default {@link DEFAULT_EVENTS_KEPT}. */
  maxKept?: number;
}

/** Writes events without ever blocking or failing its caller. */
export class EventRecorder {
  private readonly docs: DocumentStore;
  private readonly logger: ZkLogger;
  private readonly clock: Pick<ZkClock, 'now' | 'sleep'>;
  private pending = 0;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly zk: ZkSession,
    private readonly options: EventRecorderOptions = {},
  ) {
    this.logger = options.logger ?? NOOP_LOGGER;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.docs = new DocumentStore(zk, { logger: this.logger });
  }

  /** Records an event in the background; never throws, never waits. */
  emit(input: EventInput): void {
    if (this.closed) return;
    if (this.pending >= MAX_PENDING_EVENTS) {
      this.logger.warn('event dropped: too many waiting', {
        type: input.type,
        deployment: input.deployment_id,
      });
      return;
    }
    const event = newEvent(input, this.clock.now(), randomBytes(12).toString('hex'));
    this.pending++;
    // Started after the caller's synchronous work: not even the request's encoding runs on its time.
    const write = Promise.resolve()
      .then(() => this.write(event))
      .catch((err: unknown) =>
        this.logger.warn('event not recorded', { type: event.type, event: event.id, err }),
      )
      .finally(() => {
        this.pending--;
        this.inFlight.delete(write);
      });
    this.inFlight.add(write);
  }

  /** Resolves once every event emitted so far is written or given up (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Stops accepting and retrying events. Idempotent. */
  close(): void {
    this.closed = true;
  }

  private async write(event: EventRecord): Promise<void> {
    const complete = await this.withOrganization(event);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.zk.mkdirp(paths.events());
        const path = await this.docs.create('event', paths.eventPrefix(), complete, 'persistent_sequential');
        this.logger.info('event recorded', { type: complete.type, event: complete.id, path });
        if (sequenceOf(path.slice(path.lastIndexOf('/') + 1)) % PRUNE_EVERY === 0) await this.prune();
        return;
      } catch (err) {
        if (this.closed || attempt >= EVENT_WRITE_ATTEMPTS) throw err;
        await this.clock.sleep(EVENT_RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
  }

  /** The event with its deployment's organization filled in, when it names a deployment. */
  private async withOrganization(event: EventRecord): Promise<EventRecord> {
    if (event.deployment_id === undefined || event.organization_id !== undefined) return event;
    try {
      const deployment = await this.docs.readOrSkip('deployment', paths.deployment(event.deployment_id));
      const organization = deployment?.value.organization_id;
      return organization === undefined ? event : { ...event, organization_id: organization };
    } catch (err) {
      // Unknown organization: recorded as a platform event (seen by platform keys only), never leaked.
      this.logger.debug('event organization unknown', { event: event.id, err });
      return event;
    }
  }

  private async prune(): Promise<void> {
    const keep = this.options.maxKept ?? DEFAULT_EVENTS_KEPT;
    const names = (await this.zk.children(paths.events())).sort();
    for (const name of names.slice(0, Math.max(0, names.length - keep))) {
      await this.zk.delete(`${paths.events()}/${name}`).catch((err: unknown) => {
        if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      });
    }
  }
}
