import { compileUpConfig } from '../config/up-config';
import { planServices } from './service-plan';

const entries = {
  api: '/s/api/dist/main.js',
  constructor: '/s/constructor/dist/main.js',
  allocator: '/s/allocator/dist/main.js',
  proxy: '/s/proxy/dist/main.js',
};
const config = compileUpConfig({ home: '/h', capacityMb: '2048' }, {}, '/', { totalMemoryBytes: 2 ** 34 });
const launches = planServices(config, {
  zkConnectString: '127.0.0.1:2181',
  entries,
  metricsPorts: [31001, 31002, 31003, 31004, 31005],
});
const byId = new Map(launches.map((l) => [l.id, l]));
const common = { WHARF_ZK: '127.0.0.1:2181', WHARF_HOME: '/h', WHARF_LOG_LEVEL: 'info' };

describe('planServices', () => {
  it('plans 1 api, 2 constructors, 3 allocators and 2 proxies, in start order', () => {
    expect(launches.map((l) => l.id)).toEqual([
      'api-1',
      'constructor-1',
      'constructor-2',
      'allocator-1',
      'allocator-2',
      'allocator-3',
      'proxy-1',
      'proxy-2',
    ]);
    for (const launch of launches) {
      expect(launch.entry).toBe(entries[launch.service]);
      expect(launch.logFile).toBe(`/h/logs/${launch.id}.log`);
    }
  });

  it('gives the api exactly its documented variables', () => {
    expect(byId.get('api-1')).toMatchObject({
      port: 12400,
      healthUrl: 'http://127.0.0.1:12400/api/v1/health',
    });
    expect(byId.get('api-1')!.env).toEqual({
      ...common,
      WHARF_ID: 'api-1',
      WHARF_API_HOST: '127.0.0.1',
      WHARF_API_PORT: '12400',
      WHARF_DOMAIN: 'localhost',
      WHARF_PUBLIC_PROXY_URL: 'http://{id}.localhost:9200',
    });
  });

  it('gives each constructor its own metrics port, probed at /health', () => {
    expect(byId.get('constructor-2')!.env).toEqual({
      ...common,
      WHARF_ID: 'constructor-2',
      WHARF_METRICS_PORT: '31002',
    });
    expect(byId.get('constructor-2')!.healthUrl).toBe('http://127.0.0.1:31002/health');
  });

  it('puts allocators in distinct zones with disjoint port ranges', () => {
    expect(byId.get('allocator-2')!.env).toEqual({
      ...common,
      WHARF_ID: 'allocator-2',
      WHARF_METRICS_PORT: '31004',
      WHARF_ZONE: 'zone-b',
      WHARF_ALLOCATOR_HOST: '127.0.0.1',
      WHARF_PORT_RANGE: '21000-21999',
      WHARF_CAPACITY_MB: '2048',
      WHARF_STOP_INSTANCES: 'true',
    });
    const allocators = launches.filter((l) => l.service === 'allocator');
    expect(allocators.map((a) => a.zone)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect(allocators.map((a) => a.portRange)).toEqual(['20000-20999', '21000-21999', '22000-22999']);
  });

  it('runs one proxy per port, spread over zones', () => {
    expect(byId.get('proxy-2')!.env).toEqual({
      ...common,
      WHARF_ID: 'proxy-2',
      WHARF_PROXY_HOST: '127.0.0.1',
      WHARF_PROXY_PORT: '9201',
      WHARF_DOMAIN: 'localhost',
      WHARF_ZONE: 'zone-b',
    });
    expect(byId.get('proxy-1')!.healthUrl).toBe('http://127.0.0.1:9200/_health');
  });

  it('passes WHARF_ZK_CHROOT and WHARF_CPUS only when configured', () => {
    const custom = compileUpConfig(
      { home: '/h', zkChroot: '/other', cpus: '1.5', allocators: '1', constructors: '1' },
      {},
      '/',
      {
        totalMemoryBytes: 2 ** 34,
      },
    );
    const [api, , allocator] = planServices(custom, {
      zkConnectString: 'z:1',
      entries,
      metricsPorts: [1, 2],
    });
    expect(api!.env.WHARF_ZK_CHROOT).toBe('/other');
    expect(allocator!.env.WHARF_CPUS).toBe('1.5');
    expect(byId.get('api-1')!.env).not.toHaveProperty('WHARF_ZK_CHROOT');
    expect(byId.get('allocator-1')!.env).not.toHaveProperty('WHARF_CPUS');
  });

  it('insists on one metrics port per constructor and allocator', () => {
    expect(() => planServices(config, { zkConnectString: 'z:1', entries, metricsPorts: [1] })).toThrow(
      RangeError,
    );
  });
});
