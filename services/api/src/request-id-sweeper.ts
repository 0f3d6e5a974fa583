/**
 * Deletes expired request-id markers (`/platform/request-ids/<sha256>`), a bounded batch per
 * round, so the directory holds about one TTL's worth of markers. Every api runs one; rounds are
 * jittered and start at a random point of the directory, so several apis mostly sweep different
 * markers, and the guarded deletes (`store/zk-request-ids.ts`) make overlapping rounds safe.
 *
 * States: `latent` → `running` (after `start()`) → `closed` (after `close()`, terminal).
 */
import { type Logger } from '@wharf/observability';
import { type Clock } from './clock';
import { nextBatch } from './domain/sweep-cursor';
import { isMarkerExpired } from './domain/request-marker';
import { type ApiMetrics } from './metrics';
import { type SweepResult, type SweptMarker } from './store/types';

/** Pause between rounds: a marker outlives its TTL by at most about (markers / batch) rounds. */
export const REQUEST_ID_SWEEP_INTERVAL_MS = 30_000;
/**
 * Markers examined per round: 200 reads and at most one 200-delete transaction (~20 KB) every
 * 30 s per api, i.e. up to ~576k markers a day — far above any real rate of creates with a
 * request_id — at a cost ZooKeeper does not notice.
 */
export const REQUEST_ID_SWEEP_BATCH = 200;
/** ± fraction of the interval added at random, so apis started together do not sweep in step. */
const SWEEP_JITTER = 0.2;

/** The store operations the sweeper needs. */
export interface RequestIdSweepStore {
  names(): Promise<string[]>;
  sweep(batch: readonly string[], expired: (m: SweptMarker) => boolean): Promise<SweepResult>;
}

/** Options of a {@link RequestIdSweeper}. */
export interface RequestIdSweeperOptions {
  store: RequestIdSweepStore;
  clock: Clock;
  logger: Logger;
  metrics: ApiMetrics;
  /** Marker lifetime (ms). */
  ttlMs: number;
  intervalMs?: number;
  batchSize?: number;
  /** Source of randomness for the jitter and the starting point (tests pin it). */
  random?: () => number;
}

/** The sweeper's lifecycle state. */
export type RequestIdSweeperState = 'latent' | 'running' | 'closed';

/** Sweeps expired request-id markers periodically; see the file comment. */
export class RequestIdSweeper {
  private current: RequestIdSweeperState = 'latent';
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private cursor: string | undefined;
  private placed = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly random: () => number;

  constructor(private readonly options: RequestIdSweeperOptions) {
    this.intervalMs = options.intervalMs ?? REQUEST_ID_SWEEP_INTERVAL_MS;
    this.batchSize = options.batchSize ?? REQUEST_ID_SWEEP_BATCH;
    this.random = options.random ?? Math.random;
  }

  /** The current state. */
  get state(): RequestIdSweeperState {
    return this.current;
  }

  /** Schedules rounds until `close()`. */
  start(): void {
    if (this.current !== 'latent') return;
    this.current = 'running';
    this.options.logger.info('request-id sweeper started', {
      ttlMs: this.options.ttlMs,
      intervalMs: this.intervalMs,
      batch: this.batchSize,
    });
    this.schedule(this.random() * this.intervalMs);
  }

  /** Stops scheduling and waits for a running round. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    const wasRunning = this.current === 'running';
    this.current = 'closed';
    clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
    if (wasRunning) this.options.logger.info('request-id sweeper stopped', {});
  }

  /** One round: examine the next batch of markers and delete the expired ones. */
  async runOnce(): Promise<SweepResult> {
    const { store, clock, ttlMs, metrics } = this.options;
    const sorted = (await store.names()).sort();
    if (!this.placed && sorted.length > 0) {
      // Start somewhere random so several apis mostly look at different markers.
      this.cursor = sorted[Math.floor(this.random() * sorted.length)];
      this.placed = true;
    }
    const batch = nextBatch(sorted, this.cursor, this.batchSize);
    this.cursor = batch.cursor;
    const now = clock.now();
    const result = await store.sweep(batch.names, (m) => isMarkerExpired(m.marker, m.ctimeMs, ttlMs, now));
    metrics.requestIdsSwept.inc(result.deleted);
    metrics.requestIdSweeps.inc({ result: result.contended ? 'contended' : 'ok' });
    return result;
  }

  private schedule(delayMs: number): void {
    if (this.current !== 'running') return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.current !== 'running') return;
    const round = this.runOnce();
    this.round = round;
    try {
      const result = await round;
      if (result.deleted > 0) this.options.logger.info('expired request-id markers deleted', { ...result });
    } catch (err) {
      this.options.metrics.requestIdSweeps.inc({ result: 'failed' });
      this.options.logger.warn('request-id sweep failed', { err });
    }
    const jitter = 1 + (this.random() * 2 - 1) * SWEEP_JITTER;
    this.schedule(this.intervalMs * jitter);
  }
}
