/**
 * The leader's heartbeat (Elastic Cloud's): every `intervalMs` each routed deployment is asked
 * for `/` through a proxy, the way a client reaches it, and whether it answered is counted
 * into `/availability/<deployment>` (`@wharf/model` `addProbes`). The api turns that into a
 * deployment's `health` and its availability over 24 h and 30 days.
 *
 * Why through a proxy and not to the instances: availability is what a client sees — a route
 * the proxies dropped, or a deployment whose every member is down, is unavailable even when some
 * process is alive. "Answered" means an instance answered (the proxy names it in
 * `x-wharf-handling-instance`) with a status below 500; the proxy's own 404/502/503 is down.
 *
 * Why buffered: probes are counted in memory and written every `flushMs` (one write per
 * deployment per flush, not per probe), so 10,000 deployments cost ~170 writes/s at a 60 s flush
 * rather than 1,000/s. A leader that dies loses at most one flush of counts; a new leader
 * continues from what was written. Only the leader probes; a deposed leader that still flushes
 * once can count a window twice (the counts are statistics, not money).
 *
 * Why not while it is being created: a route exists from the create plan's `update-routing` on,
 * while the new members may not answer yet; counting those probes would start every deployment's
 * availability below 100 % before its owner ever used it. A deployment is probed once it has a
 * current plan or no plan in flight; known ones are not looked up again (this term).
 *
 * States: created → running (`start`) → closed (`close`, flushes what it holds, without waiting).
 */
import { request } from 'node:http';
import {
  addProbes,
  isWharfError,
  paths,
  type Availability,
  type Probe,
  type ServiceRegistration,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type ConstructorClock } from '../clock';
import { type EventSink } from '../events/sink';

/** A proxy to probe through. */
export interface ProxyAddress {
  host: string;
  port: number;
}

/** Options of a {@link Heartbeat}. */
export interface HeartbeatOptions {
  zk: ZkSession;
  logger: Logger;
  clock: ConstructorClock;
  /** Between two probe rounds. */
  intervalMs: number;
  /** Between two writes of the counts. */
  flushMs: number;
  /** One probe's deadline. */
  timeoutMs?: number;
  /** Probes in flight at most. */
  concurrency?: number;
  /** Where a deployment unavailable for {@link HeartbeatOptions.unavailableAlertMs} is reported. */
  events?: EventSink;
  /** How long a deployment must fail every probe before it is reported (default 60 s). */
  unavailableAlertMs?: number;
}

/**
 * A deployment is reported after failing probes for a minute: long enough that a rolling restart
 * or one lost probe does not page anyone, short enough to beat most customers to it.
 */
export const DEFAULT_UNAVAILABLE_ALERT_MS = 60_000;

/** The header a proxy names the answering instance in. */
const HANDLED_BY = 'x-wharf-handling-instance';
/** The header a proxy routes by when there is no `Host: <id>.<domain>`. */
const DEPLOYMENT_HEADER = 'x-wharf-deployment';

/** Asks `proxy` for deployment `id`'s `/`; resolves with the probe (never rejects). */
export function probeThrough(
  proxy: ProxyAddress,
  id: string,
  now: () => number,
  timeoutMs: number,
): Promise<Probe> {
  const at = now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (up: boolean, status?: number) => {
      if (done) return;
      done = true;
      resolve({ at, up, ...(status === undefined ? {} : { status }), ms: now() - at });
    };
    const req = request(
      {
        host: proxy.host,
        port: proxy.port,
        path: '/',
        method: 'GET',
        headers: { [DEPLOYMENT_HEADER]: id },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const answered = res.headers[HANDLED_BY] !== undefined && (res.statusCode ?? 500) < 500;
        res.on('end', () => finish(answered, res.statusCode));
        res.on('error', () => finish(false, res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', () => finish(false));
    req.end();
  });
}

/** The heartbeat of one leadership term. */
export class Heartbeat {
  private readonly docs: DocumentStore;
  private readonly pending = new Map<string, Probe[]>();
  /** Since when each deployment failed every probe, and whether that was reported (this term only). */
  private readonly downSince = new Map<string, { since: number; reported: boolean }>();
  /** Deployments past their create plan: probed without looking at their plan again. */
  private readonly established = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private round: Promise<void> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private next = 0;
  private closed = false;

  constructor(private readonly o: HeartbeatOptions) {
    this.docs = new DocumentStore(o.zk, { logger: o.logger });
  }

  /** Starts probing and flushing. */
  start(): void {
    this.timers = [
      setInterval(() => {
        this.round ??= this.probeRound()
          .catch((err: unknown) => this.o.logger.warn('heartbeat round failed', { err }))
          .finally(() => (this.round = undefined));
      }, this.o.intervalMs),
      setInterval(() => void this.flush(), this.o.flushMs),
    ];
  }

  /**
   * Stops, and starts writing the counts it holds. Idempotent. Waits for neither the probe round
   * nor the write: leadership hand-off must not wait on a slow deployment or a suspended session.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.flush().catch((err: unknown) => this.o.logger.warn('availability flush failed', { err }));
  }

  /** One probe of every routed deployment, through the proxies in turn. */
  async probeRound(): Promise<void> {
    const [routed, proxies] = await Promise.all([this.docs.readChildren(paths.routes()), this.proxies()]);
    if (proxies.length === 0 || routed.length === 0) return;
    const ids = await this.pastCreation(routed);
    const queue = [...ids];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !this.closed; id = queue.shift()) {
        const proxy = proxies[this.next++ % proxies.length]!;
        const probe = await probeThrough(proxy, id, () => this.o.clock.now(), this.o.timeoutMs ?? 2_000);
        const list = this.pending.get(id) ?? [];
        list.push(probe);
        this.pending.set(id, list);
        this.track(id, probe);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 16, queue.length) }, worker));
  }

  /** The routed deployments not in their create plan (a pending plan and no current one yet). */
  private async pastCreation(routed: readonly string[]): Promise<string[]> {
    const routedSet = new Set(routed);
    for (const id of this.established) if (!routedSet.has(id)) this.established.delete(id);
    const unknown = routed.filter((id) => !this.established.has(id));
    await Promise.all(
      unknown.map(async (id) => {
        const [current, pending] = await Promise.all([
          this.o.zk.exists(paths.planCurrent(id)),
          this.o.zk.exists(paths.planPending(id)),
        ]);
        if (current !== null || pending === null) this.established.add(id);
      }),
    );
    return routed.filter((id) => this.established.has(id));
  }

  /** Reports a deployment once it has been down for the alert time; forgets it when it answers. */
  private track(id: string, probe: Probe): void {
    if (probe.up) {
      this.downSince.delete(id);
      return;
    }
    const down = this.downSince.get(id) ?? { since: probe.at, reported: false };
    this.downSince.set(id, down);
    const forMs = probe.at - down.since;
    if (down.reported || forMs < (this.o.unavailableAlertMs ?? DEFAULT_UNAVAILABLE_ALERT_MS)) return;
    down.reported = true;
    this.o.events?.emit({
      type: 'deployment-unavailable',
      severity: 'critical',
      deployment_id: id,
      message: `deployment ${id} has not answered through the proxies for ${Math.round(forMs / 1000)} s`,
    });
  }

  /** Writes the counts held, one read-modify-write per deployment. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = [...this.pending];
      this.pending.clear();
      for (const [id, probes] of batch) {
        try {
          await this.write(id, probes);
        } catch (err) {
          this.o.logger.warn('availability write failed', { deployment: id, err });
        }
      }
    });
    return this.flushing;
  }

  private async write(id: string, probes: Probe[]): Promise<void> {
    const path = paths.availability(id);
    // A deployment deleted meanwhile: its route is gone; its record goes with it.
    if ((await this.o.zk.exists(paths.route(id))) === null) {
      await this.docs.delete(path);
      return;
    }
    const now = this.o.clock.now();
    const stored = await this.docs.readNode('availability', path);
    const base: Availability = stored?.value ?? { schema_version: 1, deployment_id: id, hours: [] };
    const next = addProbes(base, probes, now);
    if (stored === undefined) {
      await this.o.zk.mkdirp(paths.availabilityRoot());
      try {
        await this.docs.create('availability', path, next);
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
        this.pending.set(id, [...probes, ...(this.pending.get(id) ?? [])]);
      }
      return;
    }
    await this.docs.set('availability', path, next, stored.version);
  }

  private async proxies(): Promise<ProxyAddress[]> {
    const root = `${paths.services()}/proxy`;
    const ids = await this.docs.readChildren(root);
    const docs = await Promise.all(
      ids.map((id) => this.docs.readOrSkip('service-registration', `${root}/${id}`)),
    );
    return docs.flatMap((d) => {
      const reg: ServiceRegistration | undefined = d?.value;
      return reg?.port === undefined ? [] : [{ host: reg.address, port: reg.port }];
    });
  }
}
