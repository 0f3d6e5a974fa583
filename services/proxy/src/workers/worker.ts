/**
 * One worker process of a multi-process proxy (`WHARF_PROXY_WORKERS` > 1): a full request path
 * (its own server on the shared listening socket, forwarder, balancer and route table) with routes,
 * settings and the metrics exposition coming from the primary over the cluster channel. A worker
 * neither talks to ZooKeeper nor registers: the primary does both, once for the whole proxy.
 */
import { createLogger, createMetrics, type Logger } from '@wharf/observability';
import {
  fromWire,
  isToWorker,
  type FromWorker,
  type ToWorker,
  type WorkerSettings,
} from './cluster-messages';
import { InstanceHealth } from '../instance-health';
import { IpcRouteSource } from './ipc-route-source';
import { createProxy, type ProxyTlsOptions, type WharfProxy } from '../proxy';
import { TrafficMeter } from '../traffic-meter';

/**
 * How often a worker reports its request counters to the primary. The primary writes them into
 * the registration every 15 s; a report every 5 s keeps that at most one report stale.
 */
export const WORKER_STATS_INTERVAL_MS = 5_000;
/** A scrape waits this long for the primary's merged metrics before answering 500. */
const METRICS_REPLY_TIMEOUT_MS = 5_000;

/** The IPC side of `process` a worker uses (injectable for tests). */
export interface WorkerChannel {
  /** `callback` runs once the message is handed to the channel (a worker about to exit waits). */
  send(message: FromWorker, callback?: (error: Error | null) => void): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/** A started worker. */
export interface ProxyWorker {
  readonly logger: Logger;
  /** Drains and stops the worker's proxy. Idempotent. */
  close(): Promise<void>;
}

/**
 * Waits for the primary's settings, starts the worker's proxy and reports `listening`. `onDrain`
 * is called when the primary asks the worker to drain (its shutdown sequence).
 */
export function runProxyWorker(channel: WorkerChannel, onDrain: () => void): Promise<ProxyWorker> {
  return new Promise((resolve, reject) => {
    const source = new IpcRouteSource();
    // Marks from the primary may arrive before `configure`: the set exists from the start.
    const health = new InstanceHealth();
    const pendingMetrics = new Map<number, (text: string) => void>();
    let started: Started | undefined;
    channel.on('message', (message) => {
      if (!isToWorker(message)) return;
      if (message.type === 'configure') {
        if (started !== undefined) return;
        started = startWorker(channel, message.settings, source, health, pendingMetrics);
        started.ready.then(() => resolve(started!.worker), reject);
        return;
      }
      handle(message, health, source, pendingMetrics, started, onDrain);
    });
    channel.send({ type: 'ready' });
  });
}

interface Started {
  readonly worker: ProxyWorker;
  readonly proxy: WharfProxy;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly ready: Promise<void>;
}

function handle(
  message: ToWorker,
  health: InstanceHealth,
  source: IpcRouteSource,
  pendingMetrics: Map<number, (text: string) => void>,
  started: Started | undefined,
  onDrain: () => void,
): void {
  switch (message.type) {
    case 'routes':
      source.apply(message.full, message.upserts, message.removals);
      return;
    case 'metrics-text':
      pendingMetrics.get(message.request)?.(message.text);
      return;
    case 'instance-health':
      for (const down of message.down) health.markDown(fromWire(down));
      for (const id of message.up) health.markUp(id);
      return;
    case 'drain':
      onDrain();
      return;
    case 'certificate':
      started?.proxy.setCertificate({
        ...message.certificate,
        notAfter: new Date(message.certificate.notAfter),
      });
      return;
    default:
      return;
  }
}

function startWorker(
  channel: WorkerChannel,
  settings: WorkerSettings,
  source: IpcRouteSource,
  health: InstanceHealth,
  pendingMetrics: Map<number, (text: string) => void>,
): Started {
  const logger = createLogger({
    service: 'proxy',
    level: settings.logLevel,
    context: { proxy: settings.id, worker: settings.worker },
  });
  const metrics = createMetrics('proxy');
  const metricsText = primaryMetricsText(channel, pendingMetrics);
  // Counted here, written by the primary: sent with every stats report and once drained.
  const traffic = new TrafficMeter(() => Date.now());
  const proxy = createProxy({
    routeSource: source,
    trafficMeter: traffic,
    logger,
    metrics,
    id: settings.id,
    domain: settings.domain,
    zone: settings.zone,
    host: settings.host,
    port: settings.port,
    accessLog: settings.accessLog,
    tls: tlsOptionsOf(settings),
    metricsText,
    instanceHealth: health,
    // The primary probes down instances once for all workers and relays the results.
    activeHealthChecks: false,
    onInstanceDown: (target, reason) =>
      channel.send({
        type: 'instance-down',
        instance: [target.instanceId, target.host, target.port, Date.now()],
        reason,
      }),
  });
  channel.on('message', (message) => {
    if (isToWorker(message) && message.type === 'collect-metrics') {
      void metrics.registry.getMetricsAsJSON().then(
        (json) => channel.send({ type: 'metrics-json', request: message.request, metrics: json }),
        (err: unknown) => logger.error('metrics collection failed', { err }),
      );
    }
  });
  let statsTimer: NodeJS.Timeout | undefined;
  const reportStats = (): void => {
    const { requests, inFlight } = proxy.counters();
    channel.send({ type: 'stats', requests, inFlight });
    void sendTraffic(channel, traffic);
  };
  const ready = proxy.start().then((address) => {
    channel.send({ type: 'listening', address: address.address, port: address.port });
    statsTimer = setInterval(reportStats, WORKER_STATS_INTERVAL_MS);
    statsTimer.unref();
  });
  const worker: ProxyWorker = {
    logger,
    close: async () => {
      if (statsTimer !== undefined) clearInterval(statsTimer);
      await proxy.close();
      // Sent before the process exits: the last requests' counts must reach the primary.
      await sendTraffic(channel, traffic);
    },
  };
  return { worker, proxy, metrics, ready };
}

/** Asks the primary for the merged metrics of every worker (`GET /_metrics` on a worker). */
function primaryMetricsText(
  channel: WorkerChannel,
  pendingMetrics: Map<number, (text: string) => void>,
): () => Promise<string> {
  let nextRequest = 0;
  return () =>
    new Promise((resolve, reject) => {
      const request = (nextRequest += 1);
      const timer = setTimeout(() => {
        pendingMetrics.delete(request);
        reject(new Error('no metrics from the proxy primary'));
      }, METRICS_REPLY_TIMEOUT_MS);
      pendingMetrics.set(request, (text) => {
        clearTimeout(timer);
        pendingMetrics.delete(request);
        resolve(text);
      });
      channel.send({ type: 'metrics-wanted', request });
    });
}

/** Sends the traffic counted since the last report to the primary; resolves once handed over. */
function sendTraffic(channel: WorkerChannel, traffic: TrafficMeter): Promise<void> {
  if (traffic.empty) return Promise.resolve();
  return new Promise((resolve) =>
    channel.send({ type: 'traffic', counts: traffic.takeWire() }, () => resolve()),
  );
}

/** The TLS port's options from the primary's settings (`notAfter` crosses IPC as a number). */
function tlsOptionsOf(settings: WorkerSettings): ProxyTlsOptions | undefined {
  const tls = settings.tls;
  return tls === undefined
    ? undefined
    : { port: tls.port, certificate: { ...tls, notAfter: new Date(tls.notAfter) } };
}
