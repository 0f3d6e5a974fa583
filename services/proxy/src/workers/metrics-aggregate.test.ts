import { aggregateMetrics, type JsonMetric } from './metrics-aggregate';

const counter = (value: number, aggregator = 'sum'): JsonMetric => ({
  name: 'wharf_proxy_requests_total',
  help: 'Requests.',
  type: 'counter',
  aggregator,
  values: [{ value, labels: { outcome: 'ok', service: 'proxy' } }],
});
const routes = (value: number): JsonMetric => ({
  name: 'wharf_proxy_route_table_deployments_count',
  help: 'Deployments.',
  type: 'gauge',
  aggregator: 'sum',
  values: [{ value, labels: {} }],
});

describe('aggregateMetrics', () => {
  it('sums worker counters and histograms series by series', () => {
    const histogram = (count: number): JsonMetric => ({
      name: 'wharf_proxy_request_duration_seconds',
      help: 'Latency.',
      type: 'histogram',
      values: [
        { value: count, labels: { le: 0.001 }, metricName: 'wharf_proxy_request_duration_seconds_bucket' },
        { value: count, labels: { le: '+Inf' }, metricName: 'wharf_proxy_request_duration_seconds_bucket' },
        { value: count, labels: {}, metricName: 'wharf_proxy_request_duration_seconds_count' },
      ],
    });
    const text = aggregateMetrics(
      [],
      [
        [counter(3), histogram(2)],
        [counter(4), histogram(5)],
      ],
    );
    expect(text).toContain('# TYPE wharf_proxy_requests_total counter\n');
    expect(text).toContain('wharf_proxy_requests_total{outcome="ok",service="proxy"} 7\n');
    expect(text).toContain('wharf_proxy_request_duration_seconds_bucket{le="0.001"} 7\n');
    expect(text).toContain('wharf_proxy_request_duration_seconds_bucket{le="+Inf"} 7\n');
    expect(text).toContain('wharf_proxy_request_duration_seconds_count 7\n');
  });

  it('takes route-table metrics from the primary only, and honours other aggregators', () => {
    const lag = (value: number): JsonMetric => ({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Lag "now".',
      type: 'gauge',
      aggregator: 'average',
      values: [{ value, labels: {} }],
    });
    const start: JsonMetric = { ...counter(1, 'omit'), name: 'process_start_time_seconds' };
    const text = aggregateMetrics(
      [routes(12)],
      [
        [routes(12), lag(0.002), start],
        [routes(12), lag(0.004), start],
      ],
    );
    expect(text).toContain('wharf_proxy_route_table_deployments_count 12\n');
    expect(text).toContain('nodejs_eventloop_lag_seconds 0.003\n');
    expect(text).not.toContain('process_start_time_seconds');
  });

  it('escapes label values', () => {
    const odd: JsonMetric = { ...counter(1), values: [{ value: 1, labels: { reason: 'a"b\\c\nd' } }] };
    expect(aggregateMetrics([], [[odd]])).toContain(
      'wharf_proxy_requests_total{reason="a\\"b\\\\c\\nd"} 1\n',
    );
  });
});
