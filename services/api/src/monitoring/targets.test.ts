import { type HostLive, type HostRegistration, type ServiceRegistration } from '@wharf/model';
import { buildTargetGroups } from './targets';
import { zkServers } from './zk-quorum-probe';

const STARTED = '2026-12-05T00:00:00.000Z';

function reg(service: string, id: string, extra: Partial<ServiceRegistration> = {}): ServiceRegistration {
  return {
    schema_version: 1,
    id,
    service,
    address: '127.0.0.2',
    port: 9000,
    version: '0.1.0',
    started: STARTED,
    ...extra,
  };
}

const host2: HostRegistration = {
  schema_version: 1,
  id: 'host-2',
  address: '127.0.0.2',
  zone: 'zone-b',
  roles: ['coordinator', 'allocator'],
  runtime: 'process',
  version: '0.1.0',
  started: STARTED,
};
const live2: HostLive = {
  schema_version: 1,
  pid: 10,
  updated: STARTED,
  services: [
    { service: 'api', id: 'api-host-2', state: 'running', restarts: 0 },
    { service: 'proxy', id: 'proxy-host-2', state: 'running', restarts: 0 },
  ],
};

describe('buildTargetGroups', () => {
  it('finds the host of a director that runs beside the runner rather than under it', () => {
    const director = reg('director', 'director-host-2', { port: 9400 });
    const beside = { ...live2, beside: [{ service: 'director', id: 'director-host-2' }] };
    const [group] = buildTargetGroups([director], [{ id: 'host-2', registration: host2, live: beside }]);
    expect(group!.labels).toMatchObject({ service: 'director', host: 'host-2', zone: 'zone-b' });
    // Not from the id's shape: a runner that does not list it says nothing of its host.
    const [unlisted] = buildTargetGroups([director], [{ id: 'host-2', registration: host2, live: live2 }]);
    expect(unlisted!.labels).not.toHaveProperty('host');
  });

  it('labels each registered service with service, id, host and zone, in a stable order', () => {
    const groups = buildTargetGroups(
      [
        reg('proxy', 'proxy-host-2', { zone: 'zone-b', port: 9200 }),
        reg('api', 'api-host-2', { address: '0.0.0.0', port: 12400 }),
        reg('runner', 'host-2', { address: '127.0.0.1', port: 4000, zone: 'zone-b' }),
      ],
      [{ id: 'host-2', registration: host2, live: live2 }],
    );
    expect(groups).toEqual([
      {
        targets: ['127.0.0.2:12400'],
        labels: {
          __metrics_path__: '/metrics',
          service: 'api',
          id: 'api-host-2',
          host: 'host-2',
          zone: 'zone-b',
        },
      },
      {
        targets: ['127.0.0.2:9200'],
        labels: {
          __metrics_path__: '/_metrics',
          service: 'proxy',
          id: 'proxy-host-2',
          host: 'host-2',
          zone: 'zone-b',
        },
      },
      {
        targets: ['127.0.0.1:4000'],
        labels: {
          __metrics_path__: '/metrics',
          service: 'runner',
          id: 'host-2',
          host: 'host-2',
          zone: 'zone-b',
        },
      },
    ]);
  });

  it('leaves out registrations without a metrics port and brackets IPv6 addresses', () => {
    const { port: _port, ...noPort } = reg('constructor', 'c-1');
    const groups = buildTargetGroups(
      [noPort, reg('allocator', 'a-1', { address: '::1', zone: 'zone-a' })],
      [],
    );
    expect(groups).toEqual([
      {
        targets: ['[::1]:9000'],
        labels: { __metrics_path__: '/metrics', service: 'allocator', id: 'a-1', zone: 'zone-a' },
      },
    ]);
  });
});

describe('zkServers', () => {
  it('lists every server of a connect string, ignoring the chroot', () => {
    expect(zkServers('10.0.0.1:2181,10.0.0.2:2182,zk3/wharf')).toEqual([
      { host: '10.0.0.1', port: 2181 },
      { host: '10.0.0.2', port: 2182 },
      { host: 'zk3', port: 2181 },
    ]);
  });
});
