/** Every metric of the api service, declared in one place (`wharf_api_<subject>_<unit>`). */
import {
  createMetrics,
  type Counter,
  type Gauge,
  type Histogram,
  type Metrics,
  type Registry,
} from '@wharf/observability';

/**
 * Latency buckets in seconds: most requests are one or two ZooKeeper round trips (ms), a cold
 * API-key verification runs scrypt (~100 ms), and anything over 5 s is a stuck ZooKeeper.
 */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The api's metrics. */
export interface ApiMetrics {
  readonly registry: Registry;
  /** Requests answered, by method, route pattern (never a raw path) and status. */
  readonly requests: Counter<'method' | 'route' | 'status'>;
  /** Request latency by method and route pattern. */
  readonly requestDuration: Histogram<'method' | 'route'>;
  /** Authentication outcomes: `cached`, `verified`, `missing`, `malformed`, `unknown_key`, `wrong_secret`, `expired`. */
  readonly authentications: Counter<'result'>;
  /** Deployment writes committed, by action (`create`, `update`, `delete`, `cancel`). */
  readonly deploymentWrites: Counter<'action'>;
  /** Expired request-id markers deleted by this api's sweeper. */
  readonly requestIdsSwept: Counter;
  /** Sweep rounds by result: `ok`, `contended` (another api deleted meanwhile), `failed`. */
  readonly requestIdSweeps: Counter<'result'>;
  /** Mutating requests refused by the per-key rate limit. */
  readonly rateLimited: Counter;
  /** Servers in this api's ZooKeeper connect string. */
  readonly zkServers: Gauge;
  /** Of those, how many answered `ruok` at the last probe. */
  readonly zkServersUp: Gauge;
  /** notAfter (Unix seconds) of each watched certificate file, by file name. */
  readonly certificateExpiry: Gauge<'certificate'>;
}

/** Declares the api's metrics on a fresh registry. */
export function createApiMetrics(metrics: Metrics = createMetrics('api')): ApiMetrics {
  return {
    registry: metrics.registry,
    requests: metrics.counter({
      name: 'wharf_api_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
    }),
    requestDuration: metrics.histogram({
      name: 'wharf_api_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
    }),
    authentications: metrics.counter({
      name: 'wharf_api_authentications_total',
      help: 'API key checks by result.',
      labelNames: ['result'],
    }),
    deploymentWrites: metrics.counter({
      name: 'wharf_api_deployment_writes_total',
      help: 'Deployment changes committed to ZooKeeper, by action.',
      labelNames: ['action'],
    }),
    requestIdsSwept: metrics.counter({
      name: 'wharf_api_request_ids_swept_total',
      help: 'Expired request-id markers deleted by this api.',
    }),
    requestIdSweeps: metrics.counter({
      name: 'wharf_api_request_id_sweeps_total',
      help: 'Request-id sweep rounds, by result.',
      labelNames: ['result'],
    }),
    rateLimited: metrics.counter({
      name: 'wharf_api_rate_limited_total',
      help: 'Mutating requests refused with 429 by the per-key rate limit.',
    }),
    zkServers: metrics.gauge({
      name: 'wharf_api_zookeeper_servers_count',
      help: 'Servers in the ZooKeeper connect string of this api.',
    }),
    zkServersUp: metrics.gauge({
      name: 'wharf_api_zookeeper_servers_up_count',
      help: 'ZooKeeper servers that answered ruok at the last probe.',
    }),
    certificateExpiry: metrics.gauge({
      name: 'wharf_api_certificate_expiry_timestamp_seconds',
      help: 'Expiry (notAfter, Unix seconds) of each certificate file in WHARF_CERTIFICATE_FILES.',
      labelNames: ['certificate'],
    }),
  };
}
