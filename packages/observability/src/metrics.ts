/**
 * One prom-client `Registry` per service, never the global default one, with the Node process
 * metrics on it and typed helpers that declare a service's metrics on that registry.
 *
 * Naming: a service's own metrics are `wharf_<service>_<subject>_<unit>` (enforced here). The
 * default process metrics keep their standard names (`process_cpu_seconds_total`,
 * `nodejs_eventloop_lag_seconds`, …) so queries written for any Node.js service apply; every
 * metric in the registry carries a `service="<service>"` label to tell services apart.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Label added to every metric of a service's registry. */
export const SERVICE_LABEL = 'service';

const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const METRIC_SUBJECT_PATTERN = /^[a-z][a-z0-9_]*$/;

/** What a service says about one of its metrics. */
export interface MetricOptions<L extends string> {
  /** Full name, `wharf_<service>_<subject>_<unit>` (e.g. `wharf_proxy_requests_total`). */
  name: string;
  /** One sentence for the `# HELP` line. */
  help: string;
  /** Label names; their literal types flow into `inc()`/`set()`/`observe()`. */
  labelNames?: readonly L[];
}

/** {@link MetricOptions} plus histogram buckets (prom-client's defaults suit seconds). */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds of the buckets, ascending. */
  buckets?: number[];
}

/** A service's registry and the helpers that declare metrics on it. */
export interface Metrics {
  /** The service name, as in metric names and the `service` label. */
  readonly service: string;
  /** The registry `/metrics` serves; holds process metrics and everything declared here. */
  readonly registry: Registry;
  /** Declare a counter on this registry. */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L>;
  /** Declare a gauge on this registry. */
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L>;
  /** Declare a histogram on this registry. */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L>;
}

/** A fresh registry for `service` with default process metrics and a `service` label. */
export function createMetrics(service: string): Metrics {
  if (!SERVICE_NAME_PATTERN.test(service)) {
    throw new TypeError(`service name "${service}" must match ${String(SERVICE_NAME_PATTERN)}`);
  }
  const registry = new Registry();
  registry.setDefaultLabels({ [SERVICE_LABEL]: service });
  collectDefaultMetrics({ register: registry });
  const prefix = `wharf_${service}_`;
  const checked = <O extends MetricOptions<string>>(options: O): O & { registers: Registry[] } => {
    const subject = options.name.startsWith(prefix) ? options.name.slice(prefix.length) : '';
    if (!METRIC_SUBJECT_PATTERN.test(subject)) {
      throw new TypeError(`metric name "${options.name}" must be ${prefix}<subject>_<unit>`);
    }
    return { ...options, registers: [registry] };
  };
  return {
    service,
    registry,
    counter: (options) => new Counter(checked(options)),
    gauge: (options) => new Gauge(checked(options)),
    histogram: (options) => new Histogram(checked(options)),
  };
}
