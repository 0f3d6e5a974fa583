/**
 * The events, webhook targets and delivery cursors in ZooKeeper, as the api reads and writes
 * them. Writing the targets also writes their cursors in the same transaction: a new target's
 * cursor starts at the newest event (it receives what happens from now on, not the backlog), a
 * removed target's cursor goes — so the notifier never guesses where a target starts.
 */
import {
  eventSeqOf,
  isWharfError,
  paths,
  type DeadLetter,
  type DeliveryCursor,
  type EventInput,
  type EventRecord,
  type WebhookConfig,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, EventRecorder, type ZkSession } from '@wharf/zk';
import { type DeadLetterQuery, selectDeadLetters } from './dead-letters';

/** An event with its sequence (its place in `/events`). */
export interface StoredEvent {
  seq: number;
  event: EventRecord;
}

/** What the events and webhook routes need. */
export interface EventStore {
  /** Every stored event, oldest first. */
  list(): Promise<StoredEvent[]>;
  webhooks(): Promise<{ config: WebhookConfig; version: number } | undefined>;
  /** Replaces the targets if the document is still at `version` (-1: absent); cursors follow. */
  setWebhooks(next: WebhookConfig, version: number): Promise<void>;
  /** Each target's cursor, by target id. */
  cursors(ids: readonly string[]): Promise<Map<string, DeliveryCursor>>;
  /** The dead letters `q` selects, oldest event first (a bad document is logged and skipped). */
  deadLetters(q: DeadLetterQuery): Promise<DeadLetter[]>;
  /** Records an event in the background (never throws, never waits). */
  emit(input: EventInput): void;
}

/** Events read at most per request (the recorder keeps ~1000). */
const MAX_EVENTS_READ = 2000;

/** {@link EventStore} over a ZooKeeper session. */
export class ZkEventStore implements EventStore {
  private readonly docs: DocumentStore;
  private readonly recorder: EventRecorder;
  /** Events never change once written: cache them by znode name. */
  private readonly cache = new Map<string, EventRecord | null>();

  constructor(
    private readonly zk: ZkSession,
    logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
    this.recorder = new EventRecorder(zk, { logger });
  }

  emit(input: EventInput): void {
    this.recorder.emit(input);
  }

  async list(): Promise<StoredEvent[]> {
    const names = (await this.docs.readChildren(paths.events()))
      .filter((n) => eventSeqOf(n) !== undefined)
      .sort()
      .slice(-MAX_EVENTS_READ);
    const present = new Set(names);
    for (const name of this.cache.keys()) if (!present.has(name)) this.cache.delete(name);
    const out: StoredEvent[] = [];
    for (const name of names) {
      if (!this.cache.has(name)) {
        const doc = await this.docs.readOrSkip('event', `${paths.events()}/${name}`);
        this.cache.set(name, doc?.value ?? null);
      }
      const event = this.cache.get(name);
      if (event) out.push({ seq: eventSeqOf(name)!, event });
    }
    return out;
  }

  async webhooks(): Promise<{ config: WebhookConfig; version: number } | undefined> {
    const stored = await this.docs.read('webhooks', paths.webhooks());
    return stored === undefined ? undefined : { config: stored.value, version: stored.version };
  }

  async setWebhooks(next: WebhookConfig, version: number): Promise<void> {
    const before = version === -1 ? [] : ((await this.webhooks())?.config.targets ?? []);
    const names = (await this.docs.readChildren(paths.events()))
      .filter((n) => eventSeqOf(n) !== undefined)
      .sort();
    const newest = names.length === 0 ? -1 : eventSeqOf(names[names.length - 1]!)!;
    await this.zk.mkdirp(paths.webhookDeliveries());
    const tx = this.docs.transaction();
    if (version === -1) tx.create('webhooks', paths.webhooks(), next);
    else tx.set('webhooks', paths.webhooks(), next, version);
    const kept = new Set(next.targets.map((t) => t.id));
    const had = new Set(before.map((t) => t.id));
    const existing = new Set(await this.docs.readChildren(paths.webhookDeliveries()));
    for (const id of had) if (!kept.has(id) && existing.has(id)) tx.delete(paths.webhookDelivery(id));
    for (const id of kept) {
      if (had.has(id) && existing.has(id)) continue;
      const cursor: DeliveryCursor = {
        schema_version: 1,
        target_id: id,
        through_seq: newest,
        failures: 0,
        updated: next.updated,
      };
      if (existing.has(id)) tx.set('webhook-delivery', paths.webhookDelivery(id), cursor, -1);
      else tx.create('webhook-delivery', paths.webhookDelivery(id), cursor);
    }
    await tx.commit();
  }

  async deadLetters(q: DeadLetterQuery): Promise<DeadLetter[]> {
    const chosen = selectDeadLetters(await this.docs.readChildren(paths.webhookDeadLetters()), q);
    const out: DeadLetter[] = [];
    for (const { name } of chosen) {
      const doc = await this.docs.readOrSkip('dead-letter', `${paths.webhookDeadLetters()}/${name}`);
      if (doc) out.push(doc.value);
    }
    return out;
  }

  async cursors(ids: readonly string[]): Promise<Map<string, DeliveryCursor>> {
    const out = new Map<string, DeliveryCursor>();
    for (const id of ids) {
      try {
        const doc = await this.docs.readOrSkip('webhook-delivery', paths.webhookDelivery(id));
        if (doc) out.set(id, doc.value);
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      }
    }
    return out;
  }
}
