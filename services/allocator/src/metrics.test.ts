import { createMetrics } from '@wharf/observability';
import { type ContainerInfo } from '@wharf/runtime';
import { createInstanceUsageMetrics, recordInstanceUsage } from './metrics';

const container = (id: string, instance: string): ContainerInfo => ({
  id,
  name: `wharf-a1-${instance}`,
  labels: { 'wharf.allocator': 'a1', 'wharf.instance': instance },
  state: 'running',
  createdAt: 0,
  hostAddress: '127.0.0.1',
  ports: {},
  dataDir: '/d',
});

describe('recordInstanceUsage', () => {
  it('exports memory and CPU per instance and drops instances that are gone', async () => {
    const metrics = createMetrics('allocator');
    const gauges = createInstanceUsageMetrics(metrics);
    let containers = [container('c1', 'i1'), container('c2', 'i2')];
    const source = {
      list: async () => containers,
      stats: async (id: string) =>
        id === 'c1' ? { id, memoryBytes: 1024, memoryLimitBytes: 4096, cpuSeconds: 1.5 } : null,
    };
    await recordInstanceUsage(source, 'a1', gauges);
    let text = await metrics.registry.metrics();
    expect(text).toMatch(/wharf_allocator_instance_memory_bytes\{instance="i1",service="allocator"\} 1024/);
    expect(text).toMatch(/wharf_allocator_instance_cpu_seconds\{instance="i1",service="allocator"\} 1.5/);
    expect(text).not.toMatch(/instance="i2"/);
    containers = [];
    await recordInstanceUsage(source, 'a1', gauges);
    text = await metrics.registry.metrics();
    expect(text).not.toMatch(/instance="i1"/);
  });
});
