/** Every metric the runner exports, declared in one place (`wharf_runner_<subject>_<unit>`). */
import type { Counter, Gauge, Metrics } from '@wharf/observability';

/** The runner's metrics. */
export interface RunnerMetrics {
  /** Services supervised right now, by service and state. */
  readonly services: Gauge<'service' | 'state'>;
  /** Restarts after a service ended unexpectedly, by service. */
  readonly restarts: Counter<'service'>;
  /** Reconciliations of roles against running services. */
  readonly reconciles: Counter;
  /** Roles of this host (1 per role held). */
  readonly roles: Gauge<'role'>;
}

/** Declares the runner's metrics on `metrics`. */
export function createRunnerMetrics(metrics: Metrics): RunnerMetrics {
  return {
    services: metrics.gauge({
      name: 'wharf_runner_services',
      help: 'Services supervised by this runner, by service and state.',
      labelNames: ['service', 'state'],
    }),
    restarts: metrics.counter({
      name: 'wharf_runner_service_restarts_total',
      help: 'Restarts of services that ended unexpectedly.',
      labelNames: ['service'],
    }),
    reconciles: metrics.counter({
      name: 'wharf_runner_reconciles_total',
      help: 'Reconciliations of the host roles against the running services.',
    }),
    roles: metrics.gauge({
      name: 'wharf_runner_roles',
      help: 'Roles this host holds (1 per role).',
      labelNames: ['role'],
    }),
  };
}
