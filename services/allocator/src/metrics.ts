/** Every metric the allocator exports, declared in one place (`wharf_allocator_<subject>_<unit>`). */
import { type Counter, type Gauge, type Histogram, type Metrics } from '@wharf/observability';
import { type ContainerInfo, type ContainerStats } from '@wharf/runtime';

/** Probe latency buckets (seconds): health endpoints answer in milliseconds; 2 s is the timeout. */
const PROBE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];
/** Reconcile pass buckets (seconds): a pass that stops an instance may take the stop timeout. */
const RECONCILE_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15];

/** The allocator's metrics. */
export interface AllocatorMetrics {
  /** Instances by reported state. */
  instances: Gauge<'state'>;
  /** Restarts after a crash. */
  restarts: Counter<'stack'>;
  /** Health probe latency by outcome. */
  probeDuration: Histogram<'stack' | 'result'>;
  /** Memory (MB) claimed by the specs assigned here. */
  capacityUsed: Gauge;
  /** Memory (MB) advertised. */
  capacityTotal: Gauge;
  /** Duration of one reconcile pass. */
  reconcileDuration: Histogram;
  /** Actions that failed, by bucket. */
  actionErrors: Counter<'action'>;
  /** Status documents written (each one a ZooKeeper write). */
  statusWrites: Counter;
}

/** Declares the allocator's metrics on `metrics` (one registry per service). */
export function createAllocatorMetrics(metrics: Metrics): AllocatorMetrics {
  return {
    instances: metrics.gauge({
      name: 'wharf_allocator_instances_count',
      help: 'Instances on this allocator by reported state.',
      labelNames: ['state'],
    }),
    restarts: metrics.counter({
      name: 'wharf_allocator_restarts_total',
      help: 'Instances restarted after they exited unexpectedly.',
      labelNames: ['stack'],
    }),
    probeDuration: metrics.histogram({
      name: 'wharf_allocator_probe_duration_seconds',
      help: 'Latency of stack health probes.',
      labelNames: ['stack', 'result'],
      buckets: PROBE_BUCKETS,
    }),
    capacityUsed: metrics.gauge({
      name: 'wharf_allocator_capacity_used_mb',
      help: 'Memory in MB claimed by the instance specs assigned to this allocator.',
    }),
    capacityTotal: metrics.gauge({
      name: 'wharf_allocator_capacity_total_mb',
      help: 'Memory capacity in MB this allocator advertises.',
    }),
    reconcileDuration: metrics.histogram({
      name: 'wharf_allocator_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass.',
      buckets: RECONCILE_BUCKETS,
    }),
    actionErrors: metrics.counter({
      name: 'wharf_allocator_action_errors_total',
      help: 'Reconcile actions that failed, by action.',
      labelNames: ['action'],
    }),
    statusWrites: metrics.counter({
      name: 'wharf_allocator_status_writes_total',
      help: 'Instance status documents written to ZooKeeper.',
    }),
  };
}

/** Per-instance resource usage, read from a Docker runtime's stats (declared only in Docker mode). */
export interface InstanceUsageMetrics {
  /** Memory in use by each instance's container (page cache excluded). */
  memory: Gauge<'instance'>;
  /** CPU time each instance's container has used since it started. */
  cpu: Gauge<'instance'>;
}

/** Declares {@link InstanceUsageMetrics} on `metrics` (call once per registry). */
export function createInstanceUsageMetrics(metrics: Metrics): InstanceUsageMetrics {
  return {
    memory: metrics.gauge({
      name: 'wharf_allocator_instance_memory_bytes',
      help: 'Memory used by each instance container, page cache excluded.',
      labelNames: ['instance'],
    }),
    cpu: metrics.gauge({
      name: 'wharf_allocator_instance_cpu_seconds',
      help: 'CPU time used by each instance container since it started.',
      labelNames: ['instance'],
    }),
  };
}

/** What usage is read from: a `DockerRuntime` (its `list` and `stats`). */
export interface UsageSource {
  list(labelFilter?: Record<string, string>): Promise<ContainerInfo[]>;
  stats(id: string): Promise<ContainerStats | null>;
}

/** Sets the usage gauges from this allocator's containers; gone instances drop out. */
export async function recordInstanceUsage(
  source: UsageSource,
  allocatorId: string,
  gauges: InstanceUsageMetrics,
): Promise<void> {
  const containers = await source.list({ 'wharf.allocator': allocatorId });
  const usage = await Promise.all(containers.map(async (c) => ({ c, stats: await source.stats(c.id) })));
  gauges.memory.reset();
  gauges.cpu.reset();
  for (const { c, stats } of usage) {
    const instance = c.labels['wharf.instance'];
    if (!stats || !instance) continue;
    gauges.memory.set({ instance }, stats.memoryBytes);
    gauges.cpu.set({ instance }, stats.cpuSeconds);
  }
}
