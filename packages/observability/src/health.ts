/** Health reports and the pure rule that turns one into an HTTP status and body. */

/** State of one health check. */
export type HealthStatus = 'ok' | 'failing';

/** The result of one named check (ZooKeeper session, routing table loaded, …). */
export interface HealthCheck {
  /** Whether this check passes. */
  status: HealthStatus;
  /** A short human explanation, mainly for a failing check. */
  detail?: string;
}

/** What a service's health function returns: every check by name. */
export interface HealthReport {
  /** Checks by name; an empty set is healthy. */
  checks: Record<string, HealthCheck>;
}

/** The `/health` answer: 200 when every check is ok, 503 otherwise, with all checks listed. */
export interface HealthResponse {
  /** HTTP status code. */
  statusCode: 200 | 503;
  /** JSON body. */
  body: { status: HealthStatus; checks: Record<string, HealthCheck> };
}

/** Decide the `/health` response for a report. */
export function evaluateHealth(report: HealthReport): HealthResponse {
  const healthy = Object.values(report.checks).every((check) => check.status === 'ok');
  return {
    statusCode: healthy ? 200 : 503,
    body: { status: healthy ? 'ok' : 'failing', checks: report.checks },
  };
}
