/**
 * The primary of a multi-process proxy (`WHARF_PROXY_WORKERS` > 1). One Node process serves about
 * 10–20k proxied requests/s on one core (docs/benchmarks.md); N workers share the listening socket
 * (node:cluster, round-robin hand-off of connections) and each runs the whole request path.
 *
 * The primary does everything that must happen once per proxy: it holds the route source (the
 * ZooKeeper tree cache on `/routes`, or a static one) and relays its documents to every worker, it
 * registers the proxy (one `/proxies/<id>` and `/services/proxy/<id>`, with the workers' summed
 * stats), holds the instances a worker found down and tells every worker (running the active
 * health checks that bring them back), merges the workers' metrics for `/_metrics`, restarts a worker that dies, and on close
 * deregisters and drains every worker.
 *
 * States: `idle → starting → running → draining → closed`.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import type { LogLevel, Logger, Metrics } from '@wharf/observability';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import {
  fromWire,
  fullSet,
  isFromWorker,
  routeDelta,
  toWire,
  type FromWorker,
  type ToWorker,
  toWireCertificate,
  type WorkerSettings,
} from './cluster-messages';
import { HealthChecker } from '../health-checker';
import { InstanceHealth } from '../instance-health';
import { createProxyMetrics } from '../metrics';
import { aggregateMetrics, type JsonMetric } from './metrics-aggregate';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_TLS_PORT, type ProxyTlsOptions } from '../proxy';
import { ProxyShell, assertShellOptions, type ProxyCommonOptions, type ProxyState } from '../proxy-shell';
import { normaliseDomain } from '../routing-key';

/** First restart delay of a worker that died; doubles per quick death up to the maximum. */
export const WORKER_RESTART_DELAY_MS = 100;
/** Longest delay between restarts of a worker that keeps dying (a crash loop must not spin). */
export const WORKER_RESTART_MAX_DELAY_MS = 5_000;
/** A worker that lived this long before dying is restarted at once (its back-off resets). */
const WORKER_STABLE_MS = 10_000;
/**
 * After the workers' own drain deadline, how long the primary waits for them to exit before it
 * kills what is left (closing the route source and the session take a moment).
 */
const WORKER_EXIT_GRACE_MS = 3_000;
/** How long a metrics scrape waits for the workers' registries. */
const METRICS_COLLECT_TIMEOUT_MS = 2_000;

/** Options for {@link createProxySupervisor}. */
export interface ProxySupervisorOptions extends ProxyCommonOptions {
  /** The primary's registry: route-table metrics (merged with the workers' at `/_metrics`). */
  readonly metrics: Metrics;
  /** Worker processes to run (≥ 1). */
  readonly workers: number;
  /** The workers' log level. */
  readonly logLevel?: LogLevel;
  /** Workers log one debug line per request. */
  readonly accessLog?: boolean;
  /** The workers' drain deadline is {@link DEFAULT_DRAIN_TIMEOUT_MS}; this bounds the wait for them. */
  readonly drainTimeoutMs?: number;
  /** The worker entry script; default `worker-main.js` next to this file. */
  readonly workerScript?: string;
  /** Every worker serves the TLS port too (the listening socket is shared like the plain one's). */
  readonly tls?: ProxyTlsOptions | undefined;
}

/** A running multi-process proxy. */
export interface ProxySupervisor {
  readonly state: ProxyState;
  /** Process ids of the live workers. */
  workerPids(): number[];
  /** Starts the route source and the workers; resolves with the address they listen on. */
  start(): Promise<AddressInfo>;
  /** Deregisters, drains every worker and stops. Idempotent. */
  close(): Promise<void>;
  /** Every worker serves `certificate` on the TLS port from now on (a no-op without TLS). */
  setCertificate(certificate: ProxyTlsOptions['certificate']): void;
}

/** Creates the primary of a multi-process proxy; nothing runs until `start()`. */
export function createProxySupervisor(options: ProxySupervisorOptions): ProxySupervisor {
  return new Supervisor(options);
}

/** One worker slot: the process in it changes when a worker is restarted. */
interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  startedAt: number;
  restartDelayMs: number;
  restartTimer: TimerHandle | undefined;
  stats: { requests: number; inFlight: number };
  /** Requests counted by earlier processes of this slot (stats stay monotonic across restarts). */
  requestsBefore: number;
}

class Supervisor implements ProxySupervisor {
  private readonly options: ProxySupervisorOptions;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly shell: ProxyShell;
  private readonly slots: Slot[];
  private readonly health = new InstanceHealth();
  private readonly healthChecker: HealthChecker;
  private sent = new Map<string, string>();
  private routesInitialized = false;
  private nextCollect = 0;
  private readonly collecting = new Map<number, (worker: Worker, metrics: unknown) => void>();
  /** What the TLS port serves now: sent to every worker, and to each one (re)started. */
  private certificate: ProxyTlsOptions['certificate'] | undefined;

  constructor(options: ProxySupervisorOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new WharfError('WHARF_VALIDATION', 'proxy workers must be a positive integer');
    }
    assertShellOptions(options);
    this.options = options;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.certificate = options.tls?.certificate;
    this.shell = new ProxyShell(
      {
        ...options,
        metrics: createProxyMetrics(options.metrics),
        clock: this.clock,
        onSwap: (table) => {
          this.health.retain(table);
          this.relayRoutes();
        },
        stats: () => this.stats(),
      },
      {
        listen: () => {
          this.healthChecker.start();
          return this.forkAll();
        },
        drain: () => this.drainAll(),
        release: () => this.healthChecker.close(),
      },
    );
    this.healthChecker = new HealthChecker({ health: this.health, clock: this.clock, logger: this.logger });
    this.health.onChange((instance, down) =>
      this.broadcast({
        type: 'instance-health',
        down: down ? [toWire(instance)] : [],
        up: down ? [] : [instance.instanceId],
      }),
    );
    this.slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      worker: undefined,
      startedAt: 0,
      restartDelayMs: WORKER_RESTART_DELAY_MS,
      restartTimer: undefined,
      stats: { requests: 0, inFlight: 0 },
      requestsBefore: 0,
    }));
  }

  get state(): ProxyState {
    return this.shell.state;
  }

  workerPids(): number[] {
    return this.slots.flatMap((slot) =>
      slot.worker?.process.pid === undefined ? [] : [slot.worker.process.pid],
    );
  }

  start(): Promise<AddressInfo> {
    return this.shell.start();
  }

  close(): Promise<void> {
    return this.shell.close();
  }

  /** Forks every worker; resolves with the address they share once all listen. */
  private async forkAll(): Promise<AddressInfo> {
    cluster.setupPrimary({
      exec: this.options.workerScript ?? join(__dirname, 'worker-main.js'),
      args: [],
    });
    const addresses = await Promise.all(this.slots.map((slot) => this.fork(slot)));
    return addresses[0]!;
  }

  /** Stops restarting workers and drains them all. */
  private async drainAll(): Promise<void> {
    for (const slot of this.slots) slot.restartTimer?.cancel();
    await Promise.all(this.slots.map((slot) => this.drainWorker(slot)));
  }

  /** Asks the slot's worker to drain and waits for it to exit; kills it after the deadline. */
  private async drainWorker(slot: Slot): Promise<void> {
    const worker = slot.worker;
    if (worker === undefined || worker.isDead()) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.send(worker, { type: 'drain' });
    const deadline = (this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS) + WORKER_EXIT_GRACE_MS;
    const timer = this.clock.setTimeout(() => {
      this.logger.warn('proxy worker did not exit in time', {
        worker: slot.index + 1,
        pid: worker.process.pid,
      });
      worker.process.kill('SIGKILL');
    }, deadline);
    await exited;
    timer.cancel();
  }

  /** Starts a worker in `slot`; resolves once it listens (rejects if it exits first). */
  private fork(slot: Slot): Promise<AddressInfo> {
    const worker = cluster.fork();
    slot.worker = worker;
    slot.startedAt = this.clock.monotonic();
    slot.requestsBefore += slot.stats.requests;
    slot.stats = { requests: 0, inFlight: 0 };
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (message: unknown) => {
        if (!isFromWorker(message)) return;
        if (message.type === 'listening') {
          listening = true;
          this.logger.info('proxy worker listening', { worker: slot.index + 1, pid: worker.process.pid });
          const family = message.address.includes(':') ? 'IPv6' : 'IPv4';
          resolve({ address: message.address, port: message.port, family });
          return;
        }
        this.onMessage(slot, worker, message);
      });
      worker.on('exit', (code, signal) => {
        if (!listening) reject(new WharfError('WHARF_UNAVAILABLE', 'proxy worker exited before listening'));
        this.onExit(slot, worker, code, signal);
      });
    });
  }

  private onMessage(slot: Slot, worker: Worker, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.send(worker, { type: 'configure', settings: this.settings(slot) });
        if (this.routesInitialized) {
          this.send(worker, { type: 'routes', full: true, upserts: fullSet(this.sent), removals: [] });
        }
        if (this.health.size > 0) {
          this.send(worker, { type: 'instance-health', down: this.health.list().map(toWire), up: [] });
        }
        return;
      case 'instance-down':
        // Relayed to every worker (the reporter included: marks are idempotent) by the listener.
        if (this.health.markDown(fromWire(message.instance))) {
          this.logger.warn('instance held down for every worker', {
            instance: message.instance[0],
            reason: message.reason,
            worker: slot.index + 1,
          });
        }
        return;
      case 'stats':
        slot.stats = { requests: message.requests, inFlight: message.inFlight };
        return;
      case 'metrics-wanted':
        void this.mergedMetrics().then(
          (text) => this.send(worker, { type: 'metrics-text', request: message.request, text }),
          (err: unknown) => this.logger.error('metrics collection failed', { err }),
        );
        return;
      case 'metrics-json':
        this.collecting.get(message.request)?.(worker, message.metrics);
        return;
      case 'traffic':
        this.shell.traffic?.meter.addWire(message.counts);
        return;
      default:
        return;
    }
  }

  private onExit(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    if (this.shell.state !== 'running') return;
    const lived = this.clock.monotonic() - slot.startedAt;
    if (lived >= WORKER_STABLE_MS) slot.restartDelayMs = WORKER_RESTART_DELAY_MS;
    const delay = slot.restartDelayMs;
    slot.restartDelayMs = Math.min(delay * 2, WORKER_RESTART_MAX_DELAY_MS);
    this.logger.warn('proxy worker exited; restarting', {
      worker: slot.index + 1,
      pid: worker.process.pid,
      code,
      signal,
      restart_in_ms: delay,
    });
    slot.restartTimer = this.clock.setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.shell.state !== 'running') return;
      this.fork(slot).catch((err: unknown) => this.logger.error('proxy worker restart failed', { err }));
    }, delay);
  }

  /** Sends what changed in the route documents since the last relay to every worker. */
  private relayRoutes(): void {
    const documents = this.shell.source.documents();
    if (documents === undefined) return;
    const delta = routeDelta(this.sent, documents);
    this.sent = delta.next;
    const first = !this.routesInitialized;
    this.routesInitialized = true;
    if (!first && delta.upserts.length === 0 && delta.removals.length === 0) return;
    const message: ToWorker = first
      ? { type: 'routes', full: true, upserts: fullSet(this.sent), removals: [] }
      : { type: 'routes', full: false, upserts: delta.upserts, removals: delta.removals };
    this.broadcast(message);
  }

  /** Sends `message` to every live worker. */
  private broadcast(message: ToWorker): void {
    for (const slot of this.slots) if (slot.worker !== undefined) this.send(slot.worker, message);
  }

  /** Every live worker's registry and the primary's route-table metrics, merged. */
  private async mergedMetrics(): Promise<string> {
    const workers = this.slots.flatMap((slot) => (slot.worker === undefined ? [] : [slot.worker]));
    const request = (this.nextCollect += 1);
    const replies = new Map<Worker, JsonMetric[]>();
    const collected = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, METRICS_COLLECT_TIMEOUT_MS);
      this.collecting.set(request, (worker, metrics) => {
        replies.set(worker, metrics as JsonMetric[]);
        if (replies.size >= workers.length) {
          timer.cancel();
          resolve();
        }
      });
    });
    for (const worker of workers) this.send(worker, { type: 'collect-metrics', request });
    await collected;
    this.collecting.delete(request);
    const primary = (await this.options.metrics.registry.getMetricsAsJSON()) as unknown as JsonMetric[];
    return aggregateMetrics(primary, [...replies.values()]);
  }

  private settings(slot: Slot): WorkerSettings {
    const { options } = this;
    return {
      id: options.id,
      worker: slot.index + 1,
      domain: normaliseDomain(options.domain ?? 'localhost'),
      zone: options.zone,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 9200,
      logLevel: options.logLevel ?? 'info',
      accessLog: options.accessLog ?? false,
      tls:
        options.tls === undefined || this.certificate === undefined
          ? undefined
          : { port: options.tls.port ?? DEFAULT_TLS_PORT, ...toWireCertificate(this.certificate) },
    };
  }

  private stats(): Record<string, number> {
    const table = this.shell.cache.current();
    let requests = 0;
    let inFlight = 0;
    for (const slot of this.slots) {
      requests += slot.requestsBefore + slot.stats.requests;
      inFlight += slot.worker === undefined ? 0 : slot.stats.inFlight;
    }
    return {
      requests,
      in_flight: inFlight,
      deployments: table?.routes.size ?? 0,
      instances: table?.instanceCount ?? 0,
      workers: this.workerPids().length,
    };
  }

  setCertificate(certificate: ProxyTlsOptions['certificate']): void {
    if (this.options.tls === undefined) return;
    this.certificate = certificate;
    this.broadcast({ type: 'certificate', certificate: toWireCertificate(certificate) });
  }

  private send(worker: Worker, message: ToWorker): void {
    if (!worker.isConnected()) return;
    worker.send(message, (err: Error | null) => {
      if (err !== null) this.logger.debug('message to proxy worker lost', { err, type: message.type });
    });
  }
}
