/** Every metric the director declares, on its own registry (`wharf_director_*`). */
import { type Counter, type Gauge, type Metrics } from '@wharf/observability';

/** The director's metrics. */
export interface DirectorMetrics {
  readonly registry: Metrics['registry'];
  /** The registry's helpers (for the shared `wharf_certificate_expiry_seconds`). */
  readonly base: Metrics;
  /** Issue 11's `wharf_certificate_expiry_seconds`, with the service prefix. */
  readonly certificateExpiry: Gauge<'certificate'>;
  readonly enrolments: Counter<'result'>;
  readonly certificatesIssued: Counter<'ou'>;
  readonly quorumHealthy: Gauge;
  readonly zkServerUp: Gauge<'server'>;
  readonly zkZxidLag: Gauge<'server'>;
  readonly quorumChecks: Counter<'result'>;
}

/** Declares the director's metrics on `metrics` (from `createMetrics('director')`). */
export function createDirectorMetrics(metrics: Metrics): DirectorMetrics {
  return {
    registry: metrics.registry,
    base: metrics,
    certificateExpiry: metrics.gauge({
      name: 'wharf_director_certificate_expiry_seconds',
      help: 'Seconds until the certificate expires (negative once expired): ca, enrol-serving.',
      labelNames: ['certificate'] as const,
    }),
    enrolments: metrics.counter({
      name: 'wharf_director_enrolments_total',
      help: 'Enrolment requests by result: ok, refused (4xx), error (5xx).',
      labelNames: ['result'] as const,
    }),
    certificatesIssued: metrics.counter({
      name: 'wharf_director_certificates_issued_total',
      help: 'Certificates signed for hosts (enrolment and renewal), by the service they name (OU).',
      labelNames: ['ou'] as const,
    }),
    quorumHealthy: metrics.gauge({
      name: 'wharf_director_quorum_healthy_ratio',
      help: '1 when the ZooKeeper quorum has a leader and a majority (or a standalone server answers), else 0.',
    }),
    zkServerUp: metrics.gauge({
      name: 'wharf_director_zk_server_up_ratio',
      help: '1 when the ZooKeeper server answered srvr at the last check, else 0.',
      labelNames: ['server'] as const,
    }),
    zkZxidLag: metrics.gauge({
      name: 'wharf_director_zk_zxid_lag_transactions',
      help: 'How many transactions the server is behind the most advanced server of the quorum.',
      labelNames: ['server'] as const,
    }),
    quorumChecks: metrics.counter({
      name: 'wharf_director_quorum_checks_total',
      help: 'Quorum health checks by result: healthy, unhealthy, error.',
      labelNames: ['result'] as const,
    }),
  };
}
