/** Every metric of the constructor, declared once on the service's registry. */
import { type Counter, type Gauge, type Histogram, type Metrics } from '@wharf/observability';

/**
 * Attempt durations: a plan that only rewrites a route takes milliseconds, an etcd grow takes
 * seconds per member, a stuck plan runs into its timeout (600 s by default).
 */
const ATTEMPT_BUCKETS_SECONDS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Step durations: from a single ZooKeeper write to a member join. */
const STEP_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300];

/** The constructor's metrics. */
export interface ConstructorMetrics {
  /** 1 while this constructor leads. */
  leader: Gauge;
  /** Attempts finished, by outcome (`success`, `error`, `cancelled`). */
  attempts: Counter<'outcome'>;
  /** Attempt duration from start to `plan-completed`, by outcome. */
  attemptDuration: Histogram<'outcome'>;
  /** Attempts this leader is driving right now. */
  activeAttempts: Gauge;
  /** Steps finished, by step id and status. */
  steps: Counter<'step' | 'status'>;
  /** Step durations by step id. */
  stepDuration: Histogram<'step'>;
  /** Placements refused for lack of capacity. */
  noCapacity: Counter;
  /** Route writes, by reason (`attempt`, `health`). */
  routeWrites: Counter<'reason'>;
  /** Membership hook calls that failed and were retried, by hook. */
  hookRetries: Counter<'hook'>;
  /** Time for one joined member to catch up with its cluster (`migrate-data`). */
  migrationSeconds: Histogram;
  /** Slow safety resyncs run. */
  resyncs: Counter;
  /** Allocators whose live node has been gone longer than the grace (their instances unroutable). */
  allocatorsLost: Gauge;
  /** Webhook POSTs by outcome: `delivered`, `failed` (retried later), `dead-lettered`. */
  webhookDeliveries: Counter<'outcome'>;
}

/** Declares the constructor's metrics on `metrics` (a registry from `createMetrics('constructor')`). */
export function createConstructorMetrics(metrics: Metrics): ConstructorMetrics {
  return {
    leader: metrics.gauge({
      name: 'wharf_constructor_leader_state',
      help: '1 while this constructor is the leader.',
    }),
    attempts: metrics.counter({
      name: 'wharf_constructor_attempts_total',
      help: 'Plan attempts finished, by outcome.',
      labelNames: ['outcome'],
    }),
    attemptDuration: metrics.histogram({
      name: 'wharf_constructor_attempt_duration_seconds',
      help: 'Plan attempt duration from start to plan-completed.',
      labelNames: ['outcome'],
      buckets: ATTEMPT_BUCKETS_SECONDS,
    }),
    activeAttempts: metrics.gauge({
      name: 'wharf_constructor_active_attempts_count',
      help: 'Plan attempts this constructor is driving.',
    }),
    steps: metrics.counter({
      name: 'wharf_constructor_steps_total',
      help: 'Plan steps finished, by step id and status.',
      labelNames: ['step', 'status'],
    }),
    stepDuration: metrics.histogram({
      name: 'wharf_constructor_step_duration_seconds',
      help: 'Plan step duration, by step id.',
      labelNames: ['step'],
      buckets: STEP_BUCKETS_SECONDS,
    }),
    noCapacity: metrics.counter({
      name: 'wharf_constructor_no_capacity_total',
      help: 'Placements refused because no allocator had room.',
    }),
    routeWrites: metrics.counter({
      name: 'wharf_constructor_route_writes_total',
      help: 'Routing entries written, by reason.',
      labelNames: ['reason'],
    }),
    hookRetries: metrics.counter({
      name: 'wharf_constructor_hook_retries_total',
      help: 'Stack membership hook calls that failed and were retried, by hook.',
      labelNames: ['hook'],
    }),
    migrationSeconds: metrics.histogram({
      name: 'wharf_constructor_migration_duration_seconds',
      help: 'Time for one member that joined a running cluster to catch up with it (migrate-data).',
      buckets: STEP_BUCKETS_SECONDS,
    }),
    resyncs: metrics.counter({
      name: 'wharf_constructor_resyncs_total',
      help: 'Slow safety resyncs of deployments and routes.',
    }),
    allocatorsLost: metrics.gauge({
      name: 'wharf_constructor_allocators_lost_count',
      help: 'Allocators without a live node for longer than the grace; their instances are unroutable.',
    }),
    webhookDeliveries: metrics.counter({
      name: 'wharf_constructor_webhook_deliveries_total',
      help: 'Webhook POSTs of alert events, by outcome (delivered, failed, dead-lettered).',
      labelNames: ['outcome'],
    }),
  };
}
