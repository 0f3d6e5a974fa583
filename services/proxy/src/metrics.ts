/**
 * Every metric the proxy exports, declared in one place (`wharf_proxy_<subject>_<unit>`). Labels
 * stay low-cardinality: never a deployment or instance id (an installation has thousands).
 */
import type { Counter, Gauge, Histogram, Metrics } from '@wharf/observability';

/**
 * Request latency buckets in seconds: sub-millisecond resolution where a healthy proxy hop lives,
 * up to the upstream timeout's order of magnitude for slow instances.
 */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];

/**
 * Event → swap latency buckets in seconds: dominated by the coalescing window (10 ms) plus the
 * rebuild itself; anything past a second means the rebuild is too slow for the table size.
 */
const TABLE_UPDATE_BUCKETS = [0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** The proxy's metrics. */
export interface ProxyMetrics {
  /** Requests answered, by outcome and status class. */
  readonly requests: Counter<'outcome' | 'status_class'>;
  /** Requests currently being served. */
  readonly requestsInFlight: Gauge;
  /** Time from receiving a proxied request to its response finishing. */
  readonly requestSeconds: Histogram;
  /** Requests held because their deployment had no routable instance (see `DEFAULT_HOLD_MS`). */
  readonly requestsHeld: Counter;
  /** Upstream failures, by error code (`ECONNREFUSED`, `timeout`, …). */
  readonly upstreamErrors: Counter<'reason'>;
  /** Requests sent to a second instance after a connect failure. */
  readonly upstreamRetries: Counter;
  /** Instances skipped for the cooldown after refusing a connection. */
  readonly instanceEjections: Counter;
  /** Traffic count flushes to ZooKeeper by result (`written`, `failed`, `late`: the hour was closed). */
  readonly trafficFlushes: Counter<'result'>;
  /** Deployments in the current routing table. */
  readonly routeTableDeployments: Gauge;
  /** Healthy instances in the current routing table. */
  readonly routeTableInstances: Gauge;
  /** Deployments in the routing table with no healthy instance (the DeploymentUnavailable alert). */
  readonly routeTableUnavailable: Gauge;
  /** Routing table rebuilds (each one a swap). */
  readonly routeTableRebuilds: Counter;
  /** Route documents left out of the current table because they were invalid. */
  readonly routeDocumentsSkipped: Gauge;
  /** Time from the first unapplied route event to the swap that applied it. */
  readonly routeTableUpdateSeconds: Histogram;
  /** Seconds until the TLS port's certificate expires (set at start and at each scrape). */
  readonly certificateExpiry: Gauge<'certificate'>;
}

/** Declares the proxy's metrics on the service registry (`createMetrics('proxy')`). */
export function createProxyMetrics(metrics: Metrics): ProxyMetrics {
  return {
    requests: metrics.counter({
      name: 'wharf_proxy_requests_total',
      help: 'Requests answered by the proxy, by outcome and status class.',
      labelNames: ['outcome', 'status_class'] as const,
    }),
    requestsInFlight: metrics.gauge({
      name: 'wharf_proxy_requests_in_flight_count',
      help: 'Requests currently being served.',
    }),
    requestSeconds: metrics.histogram({
      name: 'wharf_proxy_request_duration_seconds',
      help: 'Time from receiving a proxied request to its response finishing.',
      buckets: REQUEST_BUCKETS,
    }),
    requestsHeld: metrics.counter({
      name: 'wharf_proxy_requests_held_total',
      help: 'Requests held until their deployment had a routable instance again (or the hold ran out).',
    }),
    upstreamErrors: metrics.counter({
      name: 'wharf_proxy_upstream_errors_total',
      help: 'Failed upstream attempts, by error code.',
      labelNames: ['reason'] as const,
    }),
    upstreamRetries: metrics.counter({
      name: 'wharf_proxy_upstream_retries_total',
      help: 'Requests retried on another instance after a connect failure.',
    }),
    instanceEjections: metrics.counter({
      name: 'wharf_proxy_instance_ejections_total',
      help: 'Instances skipped for a cooldown after refusing a connection.',
    }),
    trafficFlushes: metrics.counter({
      name: 'wharf_proxy_traffic_flushes_total',
      help: 'Per-hour traffic count writes to ZooKeeper, by result (late: the hour was already rolled up).',
      labelNames: ['result'] as const,
    }),
    routeTableDeployments: metrics.gauge({
      name: 'wharf_proxy_route_table_deployments_count',
      help: 'Deployments in the current routing table.',
    }),
    routeTableInstances: metrics.gauge({
      name: 'wharf_proxy_route_table_instances_count',
      help: 'Healthy instances in the current routing table.',
    }),
    routeTableUnavailable: metrics.gauge({
      name: 'wharf_proxy_route_table_unavailable_deployments_count',
      help: 'Deployments in the current routing table without a healthy instance.',
    }),
    routeTableRebuilds: metrics.counter({
      name: 'wharf_proxy_route_table_rebuilds_total',
      help: 'Routing table rebuilds, each swapped in atomically.',
    }),
    routeDocumentsSkipped: metrics.gauge({
      name: 'wharf_proxy_route_documents_skipped_count',
      help: 'Route documents left out of the current table because they were invalid.',
    }),
    routeTableUpdateSeconds: metrics.histogram({
      name: 'wharf_proxy_route_table_update_seconds',
      help: 'Time from the first unapplied route event to the table swap that applied it.',
      buckets: TABLE_UPDATE_BUCKETS,
    }),
    // Issue 11's `wharf_certificate_expiry_seconds`, with the service prefix every registry
    // enforces; `certificate` tells the serving certificate from others a proxy may get.
    certificateExpiry: metrics.gauge({
      name: 'wharf_proxy_certificate_expiry_seconds',
      help: 'Seconds until the certificate expires (negative once expired).',
      labelNames: ['certificate'] as const,
    }),
  };
}
