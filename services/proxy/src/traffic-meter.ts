/**
 * Per-deployment traffic counters of one proxy process, by UTC hour: bytes received from clients
 * (request bodies), bytes sent to them (response bodies) and requests forwarded. The hot path is
 * one map lookup and three additions per request; nothing here does I/O. The flusher
 * (`traffic-flush.ts`) takes what was counted and writes it to ZooKeeper, and puts it back when
 * the write failed.
 */
import { trafficHourOf, type TrafficTally } from '@wharf/model';

/** Counts by hour (`YYYY-MM-DDTHH`), then by deployment. */
export type TrafficByHour = Map<string, Map<string, TrafficTally>>;

/** Counts as a worker sends them to its primary: by hour, `[deployment, in, out, requests]`. */
export type WireTraffic = readonly (readonly [
  hour: string,
  counts: readonly (readonly [deployment: string, inBytes: number, outBytes: number, requests: number])[],
])[];

/** The in-memory traffic counters of one proxy process. */
export class TrafficMeter {
  private pending: TrafficByHour = new Map();
  private hour = '';
  private hourEnds = 0;
  private current: Map<string, TrafficTally> | undefined;

  constructor(private readonly now: () => number) {}

  /** Counts one forwarded request of `deployment` (called once its response closed). */
  record(deployment: string, inBytes: number, outBytes: number): void {
    const now = this.now();
    if (this.current === undefined || now >= this.hourEnds || now < this.hourEnds - 3_600_000) {
      this.hour = trafficHourOf(now);
      this.hourEnds = Date.parse(`${this.hour}:00:00.000Z`) + 3_600_000;
      this.current = this.hourMap(this.hour);
    }
    let tally = this.current.get(deployment);
    if (tally === undefined) {
      tally = { in_bytes: 0, out_bytes: 0, requests: 0 };
      this.current.set(deployment, tally);
    }
    tally.in_bytes += inBytes;
    tally.out_bytes += outBytes;
    tally.requests += 1;
  }

  /** Everything counted since the last take; the meter starts empty again. */
  take(): TrafficByHour {
    const taken = this.pending;
    this.pending = new Map();
    this.current = undefined;
    return taken;
  }

  /** Puts back counts whose write failed (added to whatever was counted meanwhile). */
  restore(hour: string, counts: ReadonlyMap<string, TrafficTally>): void {
    const into = this.hourMap(hour);
    for (const [id, t] of counts) {
      const tally = into.get(id) ?? { in_bytes: 0, out_bytes: 0, requests: 0 };
      tally.in_bytes += t.in_bytes;
      tally.out_bytes += t.out_bytes;
      tally.requests += t.requests;
      into.set(id, tally);
    }
  }

  /** {@link take} in the form a worker sends its primary. */
  takeWire(): WireTraffic {
    return [...this.take()].map(([hour, counts]) => [
      hour,
      [...counts].map(([id, t]) => [id, t.in_bytes, t.out_bytes, t.requests] as const),
    ]);
  }

  /** Adds a worker's counts (the primary's meter, which writes them). */
  addWire(wire: WireTraffic): void {
    for (const [hour, counts] of wire) {
      const map = new Map<string, TrafficTally>();
      for (const [id, i, o, r] of counts) map.set(id, { in_bytes: i, out_bytes: o, requests: r });
      this.restore(hour, map);
    }
  }

  /** True when nothing is waiting to be written. */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  private hourMap(hour: string): Map<string, TrafficTally> {
    let map = this.pending.get(hour);
    if (map === undefined) {
      map = new Map();
      this.pending.set(hour, map);
    }
    return map;
  }
}
