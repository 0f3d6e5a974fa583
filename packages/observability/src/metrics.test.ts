import { register as globalRegistry } from 'prom-client';
import { createMetrics } from './metrics';

describe('createMetrics', () => {
  it('gives each service its own registry', async () => {
    const api = createMetrics('api');
    const constructor = createMetrics('constructor');
    expect(api.registry).not.toBe(constructor.registry);

    api.counter({ name: 'wharf_api_requests_total', help: 'Requests answered.' }).inc();

    expect(api.registry.getSingleMetric('wharf_api_requests_total')).toBeDefined();
    expect(constructor.registry.getSingleMetric('wharf_api_requests_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('wharf_api_requests_total')).toBeUndefined();
    expect(await constructor.registry.metrics()).not.toContain('wharf_api_requests_total');
  });

  it('lets two services declare a metric of the same subject without a clash', () => {
    const a = createMetrics('allocator');
    const b = createMetrics('allocator');
    expect(() => {
      a.gauge({ name: 'wharf_allocator_instances_count', help: 'Instances running.' });
      b.gauge({ name: 'wharf_allocator_instances_count', help: 'Instances running.' });
    }).not.toThrow();
  });

  it('registers default process metrics labelled with the service', async () => {
    const text = await createMetrics('proxy').registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="proxy"\} /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service="proxy"\} /m);
  });

  it('declares typed counters, gauges and histograms with labels', async () => {
    const metrics = createMetrics('constructor');
    const steps = metrics.counter({
      name: 'wharf_constructor_steps_total',
      help: 'Plan steps finished.',
      labelNames: ['step', 'result'],
    });
    const leader = metrics.gauge({ name: 'wharf_constructor_leader_ratio', help: '1 while leader.' });
    const duration = metrics.histogram({
      name: 'wharf_constructor_step_duration_seconds',
      help: 'Step duration.',
      labelNames: ['step'],
      buckets: [1, 10],
    });
    steps.inc({ step: 'allocate-instances', result: 'ok' });
    leader.set(1);
    duration.observe({ step: 'allocate-instances' }, 2);

    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'wharf_constructor_steps_total{step="allocate-instances",result="ok",service="constructor"} 1',
    );
    expect(text).toContain('wharf_constructor_leader_ratio{service="constructor"} 1');
    expect(text).toContain(
      'wharf_constructor_step_duration_seconds_bucket{le="10",service="constructor",step="allocate-instances"} 1',
    );
  });

  it('rejects metric names outside wharf_<service>_', () => {
    const metrics = createMetrics('api');
    expect(() => metrics.counter({ name: 'requests_total', help: 'x' })).toThrow(/wharf_api_/);
    expect(() => metrics.counter({ name: 'wharf_proxy_requests_total', help: 'x' })).toThrow(/wharf_api_/);
    expect(() => metrics.counter({ name: 'wharf_api_', help: 'x' })).toThrow(/wharf_api_/);
  });

  it('rejects service names that cannot appear in a metric name', () => {
    expect(() => createMetrics('my-service')).toThrow(TypeError);
    expect(() => createMetrics('')).toThrow(TypeError);
  });
});
