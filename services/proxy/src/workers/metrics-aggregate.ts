/**
 * One `/_metrics` answer for a proxy that runs several worker processes: the registries of the
 * workers (as `registry.getMetricsAsJSON()`) and the primary's are merged into one Prometheus text
 * exposition, whichever worker the scrape reached. Pure.
 *
 * Each metric is merged with its prom-client `aggregator` (`sum` for counters and histograms,
 * `average`/`min`/`max`/`first`/`omit` for some process gauges). Route-table metrics come from the
 * primary alone: every worker holds the same table, so summing them would count it once per worker.
 */

/** One sample of prom-client's JSON form. */
interface JsonSample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

/** One metric of prom-client's JSON form (`Registry.getMetricsAsJSON()`). */
export interface JsonMetric {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly JsonSample[];
  readonly aggregator?: string;
}

/** Metrics every worker reports identically: taken from the primary's registry only. */
export const PRIMARY_ONLY_PREFIX = 'wharf_proxy_route_';

/** Merges the primary's metrics and each worker's into one text exposition. */
export function aggregateMetrics(
  primary: readonly JsonMetric[],
  workers: readonly (readonly JsonMetric[])[],
): string {
  const merged = new Map<
    string,
    { metric: JsonMetric; series: Map<string, { sample: JsonSample; values: number[] }> }
  >();
  const add = (metric: JsonMetric): void => {
    let entry = merged.get(metric.name);
    if (entry === undefined) {
      entry = { metric, series: new Map() };
      merged.set(metric.name, entry);
    }
    for (const sample of metric.values) {
      const key = `${sample.metricName ?? metric.name}${renderLabels(sample.labels)}`;
      const series = entry.series.get(key);
      if (series === undefined) entry.series.set(key, { sample, values: [sample.value] });
      else series.values.push(sample.value);
    }
  };
  for (const metric of primary) if (metric.name.startsWith(PRIMARY_ONLY_PREFIX)) add(metric);
  for (const registry of workers) {
    for (const metric of registry) if (!metric.name.startsWith(PRIMARY_ONLY_PREFIX)) add(metric);
  }
  const lines: string[] = [];
  for (const { metric, series } of merged.values()) {
    if (metric.aggregator === 'omit') continue;
    lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const [key, { values }] of series) {
      lines.push(`${key} ${formatValue(combine(metric.aggregator ?? 'sum', values))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function combine(aggregator: string, values: readonly number[]): number {
  switch (aggregator) {
    case 'first':
      return values[0]!;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      return values.reduce((a, b) => a + b, 0);
  }
}

function renderLabels(labels: Readonly<Record<string, string | number>>): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  return `{${names.map((name) => `${name}="${escapeLabel(String(labels[name]))}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
