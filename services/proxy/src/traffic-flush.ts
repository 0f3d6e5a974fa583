/**
 * Writes a proxy's traffic counts ({@link TrafficMeter}) to ZooKeeper about once a minute:
 * `/metering-traffic/<hour>/<proxy-id>` holds this proxy's cumulative counts of that hour. Each
 * write reads the document and sets stored + counted since the last write, in one transaction
 * conditional on the document's version and on the hour node still being open (version 0; the
 * constructor's rollup closes it). So:
 *
 * - a restarted proxy continues from what is stored, and nothing flushed is counted twice;
 * - a write whose outcome is unknown (connection lost) is recognised by its writer token and flush
 *   number when read back, and counted once either way;
 * - counts for an hour already closed are dropped (`late`), never added after the rollup;
 * - a crash loses what was counted since the last write (at most one interval), never more.
 *
 * States: created → running (`start`) → closed (`close`: one last flush).
 */
import { randomBytes } from 'node:crypto';
import {
  addTraffic,
  isWharfError,
  paths,
  trafficHourEnd,
  type TrafficCounts,
  type TrafficTally,
} from '@wharf/model';
import type { Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import type { Clock, TimerHandle } from './clock';
import type { ProxyMetrics } from './metrics';
import type { TrafficMeter } from './traffic-meter';

/**
 * Default interval between writes: a crash loses at most this much traffic, and with hundreds of
 * proxies one small write each per minute is nothing to ZooKeeper. The rollup waits two of these
 * after an hour ends before it closes the hour.
 */
export const DEFAULT_TRAFFIC_FLUSH_MS = 60_000;
/** Counts of an hour that ended longer ago than this are dropped: the rollup has closed it. */
const MAX_UNFLUSHED_AGE_MS = 24 * 3_600_000;

/** Options of a {@link TrafficFlush}. */
export interface TrafficFlushOptions {
  readonly zk: ZkSession;
  readonly meter: TrafficMeter;
  readonly proxyId: string;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  readonly clock: Pick<Clock, 'now' | 'setTimeout'>;
  /** See {@link DEFAULT_TRAFFIC_FLUSH_MS}. */
  readonly intervalMs?: number | undefined;
}

/** The periodic writer of one proxy's traffic counts. */
export class TrafficFlush {
  private readonly docs: DocumentStore;
  /** Random per process: a document this process wrote is recognised when read back. */
  private readonly writer = randomBytes(8).toString('hex');
  private flushes = 0;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private state: 'created' | 'running' | 'closed' = 'created';

  constructor(private readonly o: TrafficFlushOptions) {
    this.docs = new DocumentStore(o.zk, { logger: o.logger });
  }

  /** Starts the periodic writes. */
  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    this.schedule();
  }

  /** Writes what is left and stops. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.timer?.cancel();
    await this.flush();
  }

  /** Writes everything counted so far (one transaction per hour); what fails is kept for the next. */
  flush(): Promise<void> {
    const run = async () => {
      await this.running;
      const taken = this.o.meter.take();
      for (const [hour, counts] of taken) await this.flushHour(hour, counts);
    };
    const p = run().catch((err: unknown) => this.o.logger.warn('traffic flush failed', { err }));
    this.running = p;
    return p;
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => {
      if (this.state !== 'running') return;
      void this.flush().finally(() => {
        if (this.state === 'running') this.schedule();
      });
    }, this.o.intervalMs ?? DEFAULT_TRAFFIC_FLUSH_MS);
  }

  private async flushHour(hour: string, counts: Map<string, TrafficTally>): Promise<void> {
    if (trafficHourEnd(hour) + MAX_UNFLUSHED_AGE_MS < this.o.clock.now()) return this.drop(hour, counts);
    const flush = ++this.flushes;
    try {
      const written = await this.write(hour, counts, flush);
      if (!written) return this.drop(hour, counts);
      this.o.metrics.trafficFlushes.inc({ result: 'written' });
    } catch (err) {
      if (await this.landed(hour, flush)) {
        this.o.metrics.trafficFlushes.inc({ result: 'written' });
        return;
      }
      this.o.metrics.trafficFlushes.inc({ result: 'failed' });
      this.o.logger.warn('traffic counts not written; kept for the next flush', { hour, err });
      this.o.meter.restore(hour, counts);
    }
  }

  /** One conditional read-add-write; false when the hour is closed already. */
  private async write(hour: string, counts: Map<string, TrafficTally>, flush: number): Promise<boolean> {
    const hourPath = paths.trafficHour(hour);
    let hourStat = await this.o.zk.exists(hourPath);
    if (hourStat === null) {
      await this.o.zk.mkdirp(hourPath);
      hourStat = await this.o.zk.exists(hourPath);
    }
    if (hourStat === null || hourStat.version !== 0) return false;
    const path = paths.trafficCounts(hour, this.o.proxyId);
    const stored = await this.docs.readNode('traffic-counts', path);
    const next: TrafficCounts = {
      schema_version: 1,
      proxy_id: this.o.proxyId,
      hour,
      writer: this.writer,
      flush,
      deployments: addTraffic(stored?.value?.deployments ?? {}, counts),
    };
    const tx = this.docs.transaction().check(hourPath, 0);
    if (stored === undefined) tx.create('traffic-counts', path, next);
    else tx.set('traffic-counts', path, next, stored.version);
    try {
      await tx.commit();
      return true;
    } catch (err) {
      // Lost to the rollup closing the hour meanwhile: late, not retried.
      if (isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED') && (await this.closed(hourPath))) return false;
      throw err;
    }
  }

  /** True when the stored document is the one flush `flush` of this process wrote. */
  private async landed(hour: string, flush: number): Promise<boolean> {
    try {
      const stored = await this.docs.readNode('traffic-counts', paths.trafficCounts(hour, this.o.proxyId));
      return stored?.value?.writer === this.writer && stored.value.flush === flush;
    } catch {
      return false;
    }
  }

  private async closed(hourPath: string): Promise<boolean> {
    const stat = await this.o.zk.exists(hourPath);
    return stat === null || stat.version !== 0;
  }

  private drop(hour: string, counts: Map<string, TrafficTally>): void {
    this.o.metrics.trafficFlushes.inc({ result: 'late' });
    this.o.logger.warn('traffic counts of a closed hour dropped', { hour, deployments: counts.size });
  }
}
