/**
 * The webhook notifier of the constructor leader: every tick it reads the targets
 * (`/platform/webhooks`) and the events (`/events`), and for each target delivers the events
 * after its cursor (`/webhook-deliveries/<target>`), in order, signed (`signature.ts`), with
 * back-off and a dead letter (`delivery-plan.ts`).
 *
 * Why in the constructor leader: like metering, exactly one process must deliver, and the leader
 * is the one already elected for platform-wide work; a second election would add a znode and a
 * failure mode for nothing. Why a cursor per target in ZooKeeper: a new leader continues where
 * the old one stopped, so a failover neither loses events nor re-sends what was acknowledged —
 * except the one event in flight when the old leader died (POSTed, cursor not yet written),
 * which is sent again: delivery is **at-least-once**, and receivers dedupe on the event id. Every
 * cursor write is conditional on the version read, so a deposed leader cannot move a cursor
 * the new leader has moved.
 *
 * Nothing waits on it: the platform's work only records events (`EventRecorder`), and one slow
 * or dead target holds back only its own queue (each target is served on its own, one POST at a
 * time, bounded by {@link DEFAULT_POST_TIMEOUT_MS}).
 *
 * States: created → running (`start`) → closed (`close`; a POST in flight finishes, its cursor
 * write then fails harmlessly if leadership moved).
 */
import {
  eventNodeName,
  eventSeqOf,
  isWharfError,
  paths,
  type DeliveryCursor,
  type EventRecord,
  type WebhookTarget,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type ConstructorClock } from '../clock';
import {
  DEFAULT_DELIVERY_POLICY,
  afterFailure,
  afterSuccess,
  nextDelivery,
  type DeliveryPolicy,
} from './delivery-plan';
import { postJson, type PostResult } from './post';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './signature';

/** One POST's deadline: a receiver should answer at once and process later. */
export const DEFAULT_POST_TIMEOUT_MS = 5_000;
/** Events one target is sent per tick at most, so one backlog cannot hog a round. */
const MAX_STEPS_PER_TICK = 50;
/** Dead letters kept per target (oldest deleted first): enough to see what a dead endpoint missed. */
export const MAX_DEAD_LETTERS_PER_TARGET = 100;
/**
 * Days a dead letter is kept by default: a month covers an operator noticing a dead endpoint,
 * replaying what it missed and a monthly review; past that the event log has it anyway.
 */
export const DEFAULT_DEAD_LETTER_RETENTION_DAYS = 30;
/** Retention is enforced hourly: finer would only re-read the same dead letters. */
const DEAD_LETTER_PRUNE_INTERVAL_MS = 3_600_000;

/** Options of a {@link WebhookNotifier}. */
export interface NotifierOptions {
  zk: ZkSession;
  logger: Logger;
  clock: Pick<ConstructorClock, 'now'>;
  /** Between two rounds. */
  tickMs: number;
  policy?: DeliveryPolicy;
  timeoutMs?: number;
  /** Dead letters older than this many days are deleted (0: never). Default 30. */
  deadLetterRetentionDays?: number;
  /** Counts POSTs by outcome (`wharf_constructor_webhook_deliveries_total`). */
  deliveries?: { inc(labels: { outcome: 'delivered' | 'failed' | 'dead-lettered' }): void };
  /** The transport; default {@link postJson}. */
  post?: (
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ) => Promise<PostResult>;
}

/** The JSON body POSTed for `event`: the stored event without its schema version. */
export function eventBody(event: EventRecord): string {
  const { schema_version: _v, ...body } = event;
  return JSON.stringify(body);
}

/** The notifier of one leadership term. */
export class WebhookNotifier {
  private readonly docs: DocumentStore;
  private readonly cache = new Map<number, EventRecord | null>();
  private readonly busy = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private closed = false;
  /** When this term last pruned dead letters past retention (a new leader prunes on its first round). */
  private prunedAt: number | undefined;

  constructor(private readonly o: NotifierOptions) {
    this.docs = new DocumentStore(o.zk, { logger: o.logger });
  }

  /** Runs a round every tick. */
  start(): void {
    this.timer = setInterval(() => {
      this.round ??= this.runRound()
        .catch((err: unknown) => this.o.logger.warn('webhook round failed', { err }))
        .finally(() => (this.round = undefined));
    }, this.o.tickMs);
  }

  /** Stops. Idempotent; does not wait for a POST in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves once every target served so far is idle (tests). */
  async settled(): Promise<void> {
    await this.round;
    await Promise.all([...this.busy.values()]);
  }

  /** One round: every target not already being served is served on its own. */
  async runRound(): Promise<void> {
    await this.pruneExpiredDeadLetters();
    const config = await this.docs.readOrSkip('webhooks', paths.webhooks());
    const targets = config?.value.targets ?? [];
    if (targets.length === 0) return;
    const events = await this.events();
    for (const target of targets) {
      if (this.closed || this.busy.has(target.id)) continue;
      const work = this.serve(target, events)
        .catch((err: unknown) => this.o.logger.warn('webhook delivery failed', { target: target.id, err }))
        .finally(() => this.busy.delete(target.id));
      this.busy.set(target.id, work);
    }
  }

  /** The events present, by sequence (documents cached: events never change). */
  private async events(): Promise<Map<number, EventRecord>> {
    const seqs = (await this.docs.readChildren(paths.events()))
      .map(eventSeqOf)
      .filter((s): s is number => s !== undefined)
      .sort((a, b) => a - b);
    const present = new Set(seqs);
    for (const seq of this.cache.keys()) if (!present.has(seq)) this.cache.delete(seq);
    const out = new Map<number, EventRecord>();
    for (const seq of seqs) {
      if (!this.cache.has(seq)) {
        const doc = await this.docs.readOrSkip('event', `${paths.events()}/${eventNodeName(seq)}`);
        this.cache.set(seq, doc?.value ?? null);
      }
      const event = this.cache.get(seq);
      if (event) out.set(seq, event);
    }
    return out;
  }

  private async serve(target: WebhookTarget, events: Map<number, EventRecord>): Promise<void> {
    const path = paths.webhookDelivery(target.id);
    const queued = [...events].map(([seq, e]) => ({ seq, type: e.type }));
    for (let i = 0; i < MAX_STEPS_PER_TICK && !this.closed; i++) {
      const stored = await this.docs.readNode('webhook-delivery', path);
      if (stored?.value === undefined) {
        await this.startCursor(target, queued.at(-1)?.seq ?? -1);
        return;
      }
      const now = this.o.clock.now();
      const step = nextDelivery(stored.value, queued, target, now);
      if (step.kind === 'idle' || step.kind === 'wait') return;
      try {
        if (step.kind === 'advance') {
          await this.docs.set(
            'webhook-delivery',
            path,
            afterSuccess(stored.value, step.throughSeq, now),
            stored.version,
          );
          continue;
        }
        const event = events.get(step.seq)!;
        const outcome = await this.deliver(target, event, stored.value.failures + 1);
        await this.record(target, stored.value, stored.version, step.seq, event, outcome);
        if (!outcome.ok) return;
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_TRANSACTION_FAILED', 'WHARF_ZK_NO_NODE'))
          throw err;
        this.o.logger.info('delivery cursor moved by someone else; re-reading next round', {
          target: target.id,
        });
        return;
      }
    }
  }

  /** A target seen for the first time (written by hand, not by the api): it starts at the newest event. */
  private async startCursor(target: WebhookTarget, throughSeq: number): Promise<void> {
    await this.o.zk.mkdirp(paths.webhookDeliveries());
    const now = new Date(this.o.clock.now()).toISOString();
    await this.docs.createIfAbsent('webhook-delivery', paths.webhookDelivery(target.id), {
      schema_version: 1,
      target_id: target.id,
      through_seq: throughSeq,
      failures: 0,
      updated: now,
    });
  }

  private async deliver(target: WebhookTarget, event: EventRecord, attempt: number): Promise<PostResult> {
    const body = eventBody(event);
    const timestamp = Math.floor(this.o.clock.now() / 1000);
    const post = this.o.post ?? postJson;
    return post(
      target.url,
      body,
      {
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signPayload(target.secret, timestamp, body),
        [EVENT_ID_HEADER]: event.id,
        'x-wharf-event-type': event.type,
        'x-wharf-delivery-attempt': String(attempt),
        'user-agent': 'wharf-notifier',
      },
      this.o.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS,
    );
  }

  /**
   * Deletes every dead letter (any target, removed ones included) older than the retention, at
   * most hourly; each delete is conditional on the version read, and one already gone is skipped.
   */
  private async pruneExpiredDeadLetters(): Promise<void> {
    const now = this.o.clock.now();
    const days = this.o.deadLetterRetentionDays ?? DEFAULT_DEAD_LETTER_RETENTION_DAYS;
    if (days === 0 || (this.prunedAt !== undefined && now - this.prunedAt < DEAD_LETTER_PRUNE_INTERVAL_MS))
      return;
    const cutoff = now - days * 86_400_000;
    let removed = 0;
    for (const name of await this.docs.readChildren(paths.webhookDeadLetters())) {
      if (this.closed) return;
      const path = `${paths.webhookDeadLetters()}/${name}`;
      const node = await this.docs.readNode('dead-letter', path);
      if (node === undefined) continue;
      // A bad document has no time of its own: its znode's creation time stands in.
      const time = node.value === undefined ? node.stat.ctime : Date.parse(node.value.time);
      if (time >= cutoff) continue;
      try {
        await this.docs.delete(path, node.version);
        removed += 1;
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE')) throw err;
      }
    }
    this.prunedAt = now;
    if (removed > 0) this.o.logger.info('dead letters past retention removed', { removed, days });
  }

  /** Keeps the newest {@link MAX_DEAD_LETTERS_PER_TARGET} dead letters of `target`. */
  private async pruneDeadLetters(target: string): Promise<void> {
    const mine = (await this.docs.readChildren(paths.webhookDeadLetters()))
      .filter((name) => name.startsWith(`${target}-`) && /^\d{10}$/.test(name.slice(target.length + 1)))
      .sort();
    for (const name of mine.slice(0, Math.max(0, mine.length - MAX_DEAD_LETTERS_PER_TARGET)))
      await this.docs.delete(`${paths.webhookDeadLetters()}/${name}`);
  }

  /** Writes the cursor after an attempt (and the dead letter after the last one), conditionally. */
  private async record(
    target: WebhookTarget,
    cursor: DeliveryCursor,
    version: number,
    seq: number,
    event: EventRecord,
    outcome: PostResult,
  ): Promise<void> {
    const now = this.o.clock.now();
    const path = paths.webhookDelivery(target.id);
    const log = { target: target.id, event: event.id, type: event.type };
    if (outcome.ok) {
      await this.docs.set('webhook-delivery', path, afterSuccess(cursor, seq, now), version);
      this.o.deliveries?.inc({ outcome: 'delivered' });
      this.o.logger.info('webhook delivered', { ...log, status: outcome.status });
      return;
    }
    const next = afterFailure(cursor, seq, outcome.error, now, this.o.policy ?? DEFAULT_DELIVERY_POLICY);
    if (!next.deadLetter) {
      await this.docs.set('webhook-delivery', path, next.cursor, version);
      this.o.deliveries?.inc({ outcome: 'failed' });
      this.o.logger.warn('webhook attempt failed', { ...log, attempts: next.attempts, error: outcome.error });
      return;
    }
    await this.o.zk.mkdirp(paths.webhookDeadLetters());
    const tx = this.docs.transaction();
    tx.create('dead-letter', paths.webhookDeadLetter(target.id, seq), {
      schema_version: 1,
      target_id: target.id,
      seq,
      event,
      attempts: next.attempts,
      last_error: outcome.error.slice(0, 512),
      time: new Date(now).toISOString(),
    });
    tx.set('webhook-delivery', path, next.cursor, version);
    await tx.commit();
    this.o.deliveries?.inc({ outcome: 'dead-lettered' });
    await this.pruneDeadLetters(target.id);
    this.o.logger.error('webhook dead-lettered', { ...log, attempts: next.attempts, error: outcome.error });
  }
}
